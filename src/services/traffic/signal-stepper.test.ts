import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultCadence } from '../../core/traffic/controller.ts';
import { controllerFactories } from '../../core/traffic/controllers/registry.ts';
import { Engine } from '../../core/traffic/engine.ts';
import { generateGridDistrict } from '../../core/traffic/grid-roadnet.ts';
import { measureRun } from '../../core/traffic/metrics.ts';
import { createSignalStates, runController } from '../../core/traffic/run.ts';
import { parseFlows, parseRoadnet } from '../../core/traffic/scenario.ts';
import { type PhaseChange, SignalStepper } from './signal-stepper.ts';

const district = generateGridDistrict({
  rows: 2,
  columns: 2,
  centre: { lat: 0, lon: 0 },
  durationSeconds: 900,
  startSecondsOfDay: 8 * 3600,
});
const roadnet = parseRoadnet(district.roadnet);
const spec = roadnet.ok ? roadnet.value : assert.fail('generated roadnet must parse');
const flows = parseFlows(district.flow, spec);
const flowSpecs = flows.ok ? flows.value : assert.fail('generated flow must parse');

function controller(name: string, engine: Engine) {
  const layouts = createSignalStates(engine, 4).map((s) => s.layout);
  return controllerFactories.get(name)!(layouts, defaultCadence);
}

for (const name of ['fixed', 'actuated-pressure']) {
  test(`stepping ${name} one second at a time gives the figures of the offline run`, () => {
    const offline = new Engine(spec, flowSpecs, { seed: 3 });
    const expected = runController(offline, controller(name, offline), {
      steps: 900,
      cadence: defaultCadence,
      phaseCount: 4,
    });
    const engine = new Engine(spec, flowSpecs, { seed: 3 });
    const stepper = new SignalStepper(engine, controller(name, engine), defaultCadence, 4);
    const changes: PhaseChange[] = [];
    for (let step = 0; step < 900; step++) stepper.step((change) => changes.push(change));
    assert.deepEqual(measureRun(engine, 4), expected);
    assert.ok(changes.length >= 4, 'every intersection gets a first green');
    for (const change of changes) {
      assert.ok(change.phase >= 0 && change.phase < 4);
      assert.notEqual(change.phase, change.previousPhase);
    }
  });
}

test('a change shows yellow before its green', () => {
  const engine = new Engine(spec, flowSpecs, { seed: 0 });
  const stepper = new SignalStepper(engine, controller('fixed', engine), defaultCadence, 4);
  stepper.step();
  assert.ok(stepper.signals().every((s) => s.yellow && s.phase === 0 && s.phaseCount === 4));
  for (let step = 1; step < 6; step++) stepper.step();
  assert.ok(stepper.signals().every((s) => !s.yellow));
});
