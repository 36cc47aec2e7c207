import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crossingRoadnet, flowEntry } from './fixtures.ts';
import { parseFlows, parseRoadnet, routeChecker } from './scenario.ts';

function roadnet(): Record<string, unknown> {
  return crossingRoadnet() as Record<string, unknown>;
}

test('accepts a well-formed roadnet and flow file', () => {
  const parsed = parseRoadnet(roadnet());
  assert.equal(parsed.ok, true);
  if (!parsed.ok) return;
  assert.equal(parsed.value.roads.length, 4);
  const flows = parseFlows([flowEntry(['road_in_w', 'road_out_e'], 0, 10)], parsed.value);
  assert.equal(flows.ok, true);
});

test('rejects a lane with a negative width and names the road and lane', () => {
  const bad = roadnet();
  const roads = bad.roads as { lanes: { width: number }[] }[];
  roads[1]!.lanes = [{ width: -4, maxSpeed: 11 } as never];
  const parsed = parseRoadnet(bad);
  assert.equal(parsed.ok, false);
  if (parsed.ok) return;
  assert.match(parsed.reason, /road 'road_out_e' lane 0 width: must be > 0, got -4/);
});

test('rejects a road link whose lane index is out of range and names the intersection', () => {
  const bad = roadnet();
  const centre = (bad.intersections as { roadLinks?: { laneLinks: { startLaneIndex: number }[] }[] }[])[4]!;
  centre.roadLinks![0]!.laneLinks[0]!.startLaneIndex = 3;
  const parsed = parseRoadnet(bad);
  assert.equal(parsed.ok, false);
  if (parsed.ok) return;
  assert.match(
    parsed.reason,
    /intersection 'centre' roadLinks\[0\] laneLinks\[0\]: startLaneIndex 3 out of range/,
  );
});

test('rejects a road that ends at an unknown intersection', () => {
  const bad = roadnet();
  (bad.roads as { endIntersection: string }[])[0]!.endIntersection = 'nowhere';
  const parsed = parseRoadnet(bad);
  assert.equal(parsed.ok, false);
  if (parsed.ok) return;
  assert.match(parsed.reason, /road 'road_in_w': intersection 'nowhere' does not exist/);
});

test('rejects a light phase naming a missing road link', () => {
  const bad = roadnet();
  const centre = (
    bad.intersections as { trafficLight?: { lightphases: { availableRoadLinks: number[] }[] } }[]
  )[4]!;
  centre.trafficLight!.lightphases[1]!.availableRoadLinks = [7];
  const parsed = parseRoadnet(bad);
  assert.equal(parsed.ok, false);
  if (parsed.ok) return;
  assert.match(
    parsed.reason,
    /intersection 'centre' lightphases\[1\] availableRoadLinks\[0\]: road link 7 does not exist/,
  );
});

test('rejects a flow entry with a disconnected route and names the entry', () => {
  const parsed = parseRoadnet(roadnet());
  assert.ok(parsed.ok);
  const flows = parseFlows(
    [flowEntry(['road_in_w', 'road_out_e'], 0, 0), flowEntry(['road_in_w', 'road_out_n'], 0, 0)],
    parsed.value,
  );
  assert.equal(flows.ok, false);
  if (flows.ok) return;
  assert.match(flows.reason, /flow\[1\] route\[1\]: no road link from 'road_in_w' to 'road_out_n'/);
});

test('rejects a flow entry with a missing vehicle parameter', () => {
  const parsed = parseRoadnet(roadnet());
  assert.ok(parsed.ok);
  const entry = flowEntry(['road_in_w', 'road_out_e'], 0, 0) as { vehicle: Record<string, unknown> };
  delete entry.vehicle.maxSpeed;
  const flows = parseFlows([entry], parsed.value);
  assert.equal(flows.ok, false);
  if (flows.ok) return;
  assert.match(flows.reason, /flow\[0\] vehicle\.maxSpeed: expected a finite number, got undefined/);
});

test('checks a route for roads that do not exist and for consecutive roads with no road link', () => {
  const parsed = parseRoadnet(roadnet());
  assert.ok(parsed.ok);
  const checkRoute = routeChecker(parsed.value);
  assert.equal(checkRoute(['road_in_w', 'road_out_e']), undefined);
  assert.deepEqual(checkRoute(['road_in_w', 'road_nowhere']), {
    index: 1,
    reason: "road 'road_nowhere' does not exist",
  });
  assert.deepEqual(checkRoute(['road_in_w', 'road_out_n']), {
    index: 1,
    reason: "no road link from 'road_in_w' to 'road_out_n'",
  });
});

test('rejects a flow entry that starts before time 0 and names the entry', () => {
  const parsed = parseRoadnet(roadnet());
  assert.ok(parsed.ok);
  const flows = parseFlows(
    [flowEntry(['road_in_w', 'road_out_e'], 0, 10), flowEntry(['road_in_w', 'road_out_e'], -5, 10)],
    parsed.value,
  );
  assert.equal(flows.ok, false);
  if (flows.ok) return;
  assert.equal(flows.reason, 'flow[1] startTime: must be >= 0, got -5');
});

test('rejects a flow entry whose interval would flood the engine and names the entry and the rule', () => {
  // Regression: interval 1e-7 passed (> 0) and the engine ran out of memory creating 1e7 vehicles a step.
  const parsed = parseRoadnet(roadnet());
  assert.ok(parsed.ok);
  const entry = (interval: number): unknown => flowEntry(['road_in_w', 'road_out_e'], 0, 3600, interval);
  const flows = parseFlows([entry(1), entry(1e-7)], parsed.value);
  assert.equal(flows.ok, false);
  if (flows.ok) return;
  assert.equal(
    flows.reason,
    'flow[1] interval: must be >= 0.1 s (at most 10 vehicles a second per flow), got 1e-7',
  );
  const zero = parseFlows([entry(0)], parsed.value);
  assert.equal(zero.ok ? '' : zero.reason, 'flow[0] interval: must be > 0, got 0');
  const fastest = parseFlows([entry(0.1)], parsed.value);
  assert.equal(fastest.ok, true);
});
