import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultCadence, type Decision, type SignalController } from './controller.ts';
import { compareEmergencyPriority } from './emergency-trial.ts';
import { Engine } from './engine.ts';
import { crossingRoadnet, flowEntry } from './fixtures.ts';
import { runController } from './run.ts';
import { parseFlows, parseRoadnet, type VehicleSpec } from './scenario.ts';

const roadnet = parseRoadnet(crossingRoadnet());
assert.ok(roadnet.ok);
const spec = roadnet.ok ? roadnet.value : assert.fail('fixture must parse');
const centre = 4;

function alternating(): SignalController & { calls: number[] } {
  let next = 1;
  const calls: number[] = [];
  return {
    name: 'alternate',
    calls,
    decide(network, due) {
      calls.push(network.timeSeconds);
      const decisions = new Map<string, Decision>();
      for (const id of due) decisions.set(id, { phase: next });
      next = next === 1 ? 2 : 1;
      return decisions;
    },
  };
}

test('decisions come every 15 s and a phase change shows 5 s of yellow first', () => {
  const engine = new Engine(spec, [], { seed: 0 });
  const controller = alternating();
  // lights[k] is the light phase shown during step k (read at the start of step k + 1).
  const lights: number[] = [];
  runController(engine, controller, {
    steps: 45,
    cadence: defaultCadence,
    phaseCount: 4,
    beforeStep: (e) => {
      if (e.step > 0) lights.push(e.network.intersections[centre]!.lightPhase);
    },
  });
  assert.deepEqual(controller.calls, [0, 15, 30]);
  assert.deepEqual(lights.slice(0, 20), [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
});

test('emergency priority turns the light for an ambulance facing a red that would never change', () => {
  const flows = parseFlows([flowEntry(['road_in_s', 'road_out_n'], 0, 600, 4)], spec);
  assert.ok(flows.ok);
  const southOnly: SignalController = {
    name: 'south-only',
    decide: (_network, due) => new Map(due.map((id) => [id, { phase: 2 }])),
  };
  const vehicle: VehicleSpec = flows.value[0]!.vehicle;
  const result = compareEmergencyPriority(
    spec,
    flows.value,
    () => southOnly,
    [{ route: ['road_in_w', 'road_out_e'], departSeconds: 60 }],
    {
      steps: 400,
      seed: 0,
      cadence: defaultCadence,
      phaseCount: 4,
      horizonSeconds: 40,
      vehicle,
    },
  );
  assert.equal(result.without.emergencyFinished, 0);
  assert.deepEqual(result.without.finishedSeconds, []);
  assert.equal(result.without.emergencySeconds[0], 400 - 60);
  assert.equal(result.with.emergencyFinished, 1);
  assert.deepEqual(result.with.finishedSeconds, result.with.emergencySeconds);
  assert.ok(result.with.emergencySeconds[0]! < result.freeFlow.emergencySeconds[0]! + 15);
});

test('a roadnet without a yellow phase offers every light phase as a green and shows all red at a change', () => {
  // Regression: light phase 0 was always taken for the yellow, so here west->east (phase 0) never got green.
  const raw = crossingRoadnet() as {
    intersections: { trafficLight: { lightphases: { time: number; availableRoadLinks: number[] }[] } }[];
  };
  raw.intersections[centre]!.trafficLight.lightphases = [
    { time: 30, availableRoadLinks: [0] },
    { time: 30, availableRoadLinks: [1] },
  ];
  const parsed = parseRoadnet(raw);
  assert.ok(parsed.ok);
  const flows = parseFlows([flowEntry(['road_in_w', 'road_out_e'], 0, 100, 5)], parsed.value);
  assert.ok(flows.ok);
  const engine = new Engine(parsed.value, flows.value, { seed: 0 });
  const lights: number[] = [];
  const westEast: SignalController = {
    name: 'west-east',
    decide: (network, due) => {
      const phases = network.intersections.get('centre')!.layout.phases.map((p) => p.index);
      assert.deepEqual(phases, [0, 1]);
      return new Map(due.map((id) => [id, { phase: 0 }]));
    },
  };
  const metrics = runController(engine, westEast, {
    steps: 200,
    cadence: defaultCadence,
    phaseCount: 4,
    beforeStep: (e) => {
      if (e.step > 0 && e.step <= 6) lights.push(e.network.intersections[centre]!.lightPhase);
    },
  });
  assert.deepEqual(lights, [-1, -1, -1, -1, -1, 0]);
  assert.equal(metrics.finished, metrics.generated);
  assert.ok(metrics.finished > 0);
});
