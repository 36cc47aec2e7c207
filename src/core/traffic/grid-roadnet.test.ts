import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from './engine.ts';
import { dailyDemand, demandTime, generateGridDistrict, toLatLon } from './grid-roadnet.ts';
import { parseFlows, parseRoadnet } from './scenario.ts';

const centre = { lat: 48.8566, lon: 2.3522 };

function parsed(district: ReturnType<typeof generateGridDistrict>) {
  const roadnet = parseRoadnet(district.roadnet);
  if (!roadnet.ok) assert.fail(roadnet.reason);
  const flows = parseFlows(district.flow, roadnet.value);
  if (!flows.ok) assert.fail(flows.reason);
  return { roadnet: roadnet.value, flows: flows.value };
}

test('a 3 × 4 district is a valid CityFlow scenario with every road and boundary in place', () => {
  const district = generateGridDistrict({ rows: 3, columns: 4, centre, durationSeconds: 3600 });
  const { roadnet, flows } = parsed(district);
  const signalised = roadnet.intersections.filter((i) => !i.virtual);
  assert.equal(signalised.length, 12);
  assert.equal(roadnet.intersections.length - signalised.length, 2 * (3 + 4));
  // Four roads out of each signalised intersection, one in from each boundary node.
  assert.equal(roadnet.roads.length, 4 * 12 + 2 * (3 + 4));
  for (const i of signalised) {
    assert.equal(i.roadLinks.length, 12, i.id);
    assert.equal(i.lightPhases.length, 9, i.id);
  }
  assert.ok(flows.length > 0);
  assert.equal(district.places.length, 12);
});

test('light phase 1 serves east–west straight on, phase 2 north–south, and every phase lets right turns go', () => {
  const { roadnet } = parsed(generateGridDistrict({ rows: 2, columns: 2, centre, durationSeconds: 900 }));
  const roads = new Map(roadnet.roads.map((r) => [r.id, r]));
  const heading = (id: string): 'ew' | 'ns' => {
    const [a, b] = roads.get(id)!.points;
    return Math.abs(a!.x - b!.x) > Math.abs(a!.y - b!.y) ? 'ew' : 'ns';
  };
  for (const i of roadnet.intersections.filter((n) => !n.virtual)) {
    const served = (phase: number) => i.lightPhases[phase]!.availableRoadLinks.map((k) => i.roadLinks[k]!);
    for (const [phase, axis] of [
      [1, 'ew'],
      [2, 'ns'],
    ] as const) {
      const straight = served(phase).filter((l) => l.type === 'go_straight');
      assert.equal(straight.length, 2);
      for (const link of straight) assert.equal(heading(link.startRoad), axis);
    }
    for (let phase = 0; phase < 9; phase++) {
      assert.equal(served(phase).filter((l) => l.type === 'turn_right').length, 4);
    }
  }
});

test('intersections lie around the centre, row 0 northmost, one spacing apart', () => {
  const district = generateGridDistrict({
    rows: 3,
    columns: 3,
    centre,
    spacingMetres: 250,
    durationSeconds: 900,
  });
  const middle = district.places.find((p) => p.row === 1 && p.column === 1)!;
  assert.ok(Math.abs(middle.lat - centre.lat) < 1e-9 && Math.abs(middle.lon - centre.lon) < 1e-9);
  const north = district.places.find((p) => p.row === 0 && p.column === 1)!;
  const east = district.places.find((p) => p.row === 1 && p.column === 2)!;
  assert.ok(north.lat > middle.lat);
  assert.ok(east.lon > middle.lon);
  const metresNorth = (north.lat - middle.lat) * 111_320;
  const metresEast = (east.lon - middle.lon) * 111_320 * Math.cos((centre.lat * Math.PI) / 180);
  assert.ok(Math.abs(metresNorth - 250) < 0.01 && Math.abs(metresEast - 250) < 0.01);
  assert.deepEqual(toLatLon({ x: 0, y: 0 }, centre), centre);
});

test('is deterministic for a seed and differs with another seed', () => {
  const options = { rows: 2, columns: 3, centre, durationSeconds: 3600, startSecondsOfDay: 8 * 3600 };
  const a = generateGridDistrict({ ...options, seed: 7 });
  const b = generateGridDistrict({ ...options, seed: 7 });
  const c = generateGridDistrict({ ...options, seed: 8 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.flow, c.flow);
});

test('demand follows the day: the morning peak hour brings several times the vehicles of 03:00', () => {
  assert.ok(dailyDemand(8 * 3600) > 0.95 && dailyDemand(17.5 * 3600) > 0.9);
  assert.ok(dailyDemand(3 * 3600) < 0.15 && dailyDemand(13 * 3600) > 0.4);
  const hour = (start: number) =>
    generateGridDistrict({
      rows: 2,
      columns: 2,
      centre,
      durationSeconds: 3600,
      startSecondsOfDay: start * 3600,
    }).vehicles;
  assert.ok(hour(8) > 5 * hour(3), `${hour(8)} vs ${hour(3)}`);
});

test('the demand time says the time of day of the flow and the demand of its 15-minute slice, 0 once it is over', () => {
  const options = { startSecondsOfDay: 7 * 3600 + 30 * 60, durationSeconds: 86_400 };
  // 45 min in: 08:15, in the slice 08:15–08:30, whose demand the flow takes at 08:22:30.
  assert.deepEqual(demandTime(options, 45 * 60), {
    secondsOfDay: 8 * 3600 + 15 * 60,
    demandShareOfPeak: dailyDemand(8 * 3600 + 22.5 * 60),
  });
  assert.equal(
    demandTime(options, 45 * 60 + 899).demandShareOfPeak,
    demandTime(options, 45 * 60).demandShareOfPeak,
  );
  assert.ok(demandTime(options, 30 * 60).demandShareOfPeak > 0.95, 'the morning peak');
  // Past midnight the clock starts again; after the flow's last second no vehicle comes.
  assert.equal(demandTime(options, 17 * 3600).secondsOfDay, 30 * 60);
  assert.deepEqual(demandTime(options, 86_400), { secondsOfDay: 7.5 * 3600, demandShareOfPeak: 0 });
  assert.ok(demandTime({ startSecondsOfDay: 3 * 3600 }, 0).demandShareOfPeak < 0.15, 'the night');
});

test('the engine generates the vehicles the district announces', () => {
  const district = generateGridDistrict({
    rows: 2,
    columns: 2,
    centre,
    durationSeconds: 1800,
    startSecondsOfDay: 8 * 3600,
  });
  const { roadnet, flows } = parsed(district);
  const engine = new Engine(roadnet, flows, { seed: 0 });
  for (let step = 0; step < 1800; step++) engine.nextStep();
  const generated = engine.vehicles.length;
  assert.ok(
    Math.abs(generated - district.vehicles) <= 0.05 * district.vehicles,
    `${generated} vs ${district.vehicles}`,
  );
});

test('rejects a district without rows, a bad centre and a turn share above 1', () => {
  assert.throws(() => generateGridDistrict({ rows: 0, columns: 2, centre }), /rows must be an integer/);
  assert.throws(() => generateGridDistrict({ rows: 2, columns: 2, centre: { lat: 95, lon: 0 } }), /centre/);
  assert.throws(() => generateGridDistrict({ rows: 2, columns: 2, centre, turnShare: 1.5 }), /turnShare/);
});
