import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from './engine.ts';
import { crossingRoadnet, flowEntry } from './fixtures.ts';
import { parseFlows, parseRoadnet, type FlowSpec, type RoadnetSpec } from './scenario.ts';

function scenario(flowEntries: unknown[]): { roadnet: RoadnetSpec; flows: FlowSpec[] } {
  const roadnet = parseRoadnet(crossingRoadnet());
  assert.ok(roadnet.ok);
  const flows = parseFlows(flowEntries, roadnet.value);
  assert.ok(flows.ok);
  return { roadnet: roadnet.value, flows: flows.value };
}

const westEast = ['road_in_w', 'road_out_e'];
const southNorth = ['road_in_s', 'road_out_n'];
const centre = 4;

test('a lone vehicle on green accelerates to its top speed and leaves in the kinematic free-flow time', () => {
  const { roadnet, flows } = scenario([flowEntry(westEast, 0, 0)]);
  const engine = new Engine(roadnet, flows, { seed: 1 });
  engine.setLightPhase(centre, 1);
  let previousSpeed = 0;
  for (let step = 0; step < 120 && engine.finishedCount === 0; step++) {
    engine.nextStep();
    const v = engine.vehicles[0]!;
    if (v.finished) break;
    assert.ok(v.speed <= 11.111 + 1e-9, `speed ${v.speed} above the limit`);
    assert.ok(v.speed - previousSpeed <= 2 + 1e-9, `acceleration ${v.speed - previousSpeed} above maxPosAcc`);
    previousSpeed = v.speed;
  }
  const v = engine.vehicles[0]!;
  assert.equal(v.finished, true);
  const length = v.path.reduce((sum, d) => sum + d.lengthMetres, 0);
  const accelerationSeconds = 11.111 / 2;
  const accelerationMetres = (11.111 * accelerationSeconds) / 2;
  const expected = accelerationSeconds + (length - accelerationMetres) / 11.111;
  const travel = v.exitSeconds - v.enterSeconds;
  assert.ok(Math.abs(travel - expected) <= 2, `travel ${travel} s, expected about ${expected.toFixed(1)} s`);
});

test('a vehicle stops before a red stop line and goes when the light turns green', () => {
  const { roadnet, flows } = scenario([flowEntry(westEast, 0, 0)]);
  const engine = new Engine(roadnet, flows, { seed: 1 });
  engine.setLightPhase(centre, 2);
  for (let step = 0; step < 90; step++) engine.nextStep();
  const v = engine.vehicles[0]!;
  assert.equal(v.pathIndex, 0, 'still on its first lane');
  assert.ok(v.speed < 0.1, `stopped, speed ${v.speed}`);
  const remaining = v.drivable.lengthMetres - v.dis;
  assert.ok(remaining >= 0 && remaining < 10, `stopped ${remaining.toFixed(2)} m before the line`);
  engine.setLightPhase(centre, 1);
  for (let step = 0; step < 60 && !v.finished; step++) engine.nextStep();
  assert.equal(v.finished, true);
});

test('followers in a platoon never overlap the vehicle ahead and keep their order', () => {
  const { roadnet, flows } = scenario([flowEntry(westEast, 0, 30)]);
  const engine = new Engine(roadnet, flows, { seed: 1 });
  for (let step = 0; step < 200; step++) {
    engine.setLightPhase(centre, Math.floor(step / 30) % 2 === 0 ? 2 : 1);
    engine.nextStep();
    for (const drivable of engine.network.drivables) {
      const list = drivable.vehicles;
      for (let i = 1; i < list.length; i++) {
        const ahead = list[i - 1]!;
        const behind = list[i]!;
        assert.ok(ahead.id < behind.id, 'order kept');
        assert.ok(ahead.dis - ahead.lengthMetres - behind.dis >= -1e-6, `overlap at step ${step}`);
      }
    }
  }
  assert.ok(engine.finishedCount > 10);
});

test('every generated vehicle is finished, running or waiting to enter (conservation)', () => {
  const { roadnet, flows } = scenario([flowEntry(westEast, 0, 200, 2), flowEntry(southNorth, 0, 200, 3)]);
  const engine = new Engine(roadnet, flows, { seed: 3 });
  for (let step = 0; step < 300; step++) {
    engine.setLightPhase(centre, Math.floor(step / 20) % 2 === 0 ? 1 : 2);
    engine.nextStep();
    const onRoads = engine.network.drivables.reduce((n, d) => n + d.vehicles.length, 0);
    assert.equal(engine.running.length, onRoads);
    assert.equal(engine.vehicles.length, engine.finishedCount + engine.running.length + engine.waitingCount);
  }
  assert.equal(engine.vehicles.length, 101 + 67);
});

test('the two straight lane links of the crossing meet at one crossing point', () => {
  const { roadnet, flows } = scenario([]);
  const engine = new Engine(roadnet, flows, { seed: 0 });
  const intersection = engine.network.intersections[centre]!;
  assert.equal(intersection.crosses.length, 1);
  const cross = intersection.crosses[0]!;
  for (const side of [0, 1] as const) {
    const along = cross.distances[side];
    assert.ok(along > 0 && along < cross.links[side].lengthMetres);
  }
});

test('runs are deterministic for a seed', () => {
  const { roadnet, flows } = scenario([flowEntry(westEast, 0, 100), flowEntry(southNorth, 0, 100, 2)]);
  const outcome = (): number[] => {
    const engine = new Engine(roadnet, flows, { seed: 7 });
    for (let step = 0; step < 250; step++) {
      engine.setLightPhase(centre, Math.floor(step / 15) % 2 === 0 ? 1 : 2);
      engine.nextStep();
    }
    return engine.vehicles.map((v) => (v.finished ? v.exitSeconds : v.dis));
  };
  assert.deepEqual(outcome(), outcome());
});

test('vehicles queueing at a red light change to the shorter queue of a parallel lane without overlapping', () => {
  const roadnet = parseRoadnet(crossingRoadnet(400, 2));
  assert.ok(roadnet.ok);
  const flows = parseFlows([flowEntry(westEast, 0, 40, 2)], roadnet.value);
  assert.ok(flows.ok);
  // Seed 26 draws the first lanes unevenly: 6 / 15 vehicles when nobody changes lanes.
  const unchanged = new Engine(roadnet.value, flows.value, { seed: 26, laneChange: false });
  unchanged.setLightPhase(centre, 2);
  for (let step = 0; step < 120; step++) unchanged.nextStep();
  const before = unchanged.network.roadById.get('road_in_w')!.lanes.map((l) => l.vehicles.length);
  assert.ok(Math.abs(before[0]! - before[1]!) >= 5, `uneven without lane changes: ${before.join(' / ')}`);
  const engine = new Engine(roadnet.value, flows.value, { seed: 26 });
  engine.setLightPhase(centre, 2);
  for (let step = 0; step < 120; step++) {
    engine.nextStep();
    for (const v of engine.running) assert.equal(v.path[v.pathIndex], v.drivable, 'path follows the lane');
    for (const lane of engine.network.roadById.get('road_in_w')!.lanes) {
      for (let i = 1; i < lane.vehicles.length; i++) {
        const gap = lane.vehicles[i - 1]!.dis - lane.vehicles[i - 1]!.lengthMetres - lane.vehicles[i]!.dis;
        assert.ok(gap >= -1e-6, `overlap on ${lane.id} at step ${step}`);
      }
    }
  }
  const queues = engine.network.roadById.get('road_in_w')!.lanes.map((l) => l.vehicles.length);
  assert.equal(queues[0]! + queues[1]!, 21);
  assert.ok(Math.abs(queues[0]! - queues[1]!) <= 2, `queues ${queues.join(' / ')}`);
  assert.ok(
    engine.vehicles.some((v) => Number.isFinite(v.lastLaneChangeSeconds)),
    'some vehicle changed lane',
  );
});
