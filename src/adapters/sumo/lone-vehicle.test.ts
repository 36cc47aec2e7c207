import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loneRoutesXml, loneVehicleBound, parseRouteFile } from './lone-vehicle.ts';
import type { LoneTrip } from './lone-vehicle.ts';

const routeFile = `<routes>
  <vType id="car" sigma="0"/>
  <route id="main" edges="a b c"/>
  <vehicle id="v1" depart="0" type="car" departLane="best"><route edges="a b"/></vehicle>
  <vehicle id="v2" depart="12.5" route="main"/>
</routes>`;

void test('reads nested and named routes, the vehicle types and the attributes a lone copy keeps', () => {
  const parsed = parseRouteFile(routeFile);
  assert.deepEqual(parsed.vehicleTypes, ['<vType id="car" sigma="0"/>']);
  assert.deepEqual(parsed.vehicles, [
    { id: 'v1', departSeconds: 0, edges: 'a b', attributes: ' type="car" departLane="best"' },
    { id: 'v2', departSeconds: 12.5, edges: 'a b c', attributes: '' },
  ]);
});

void test('refuses flows, vehicles without a route and departures that are not times, naming them', () => {
  assert.throws(
    () => parseRouteFile('<routes><flow id="f" from="a" to="b" period="5"/></routes>', 'x.rou.xml'),
    /x\.rou\.xml: <flow id="f"> has no route of its own/,
  );
  assert.throws(
    () => parseRouteFile('<routes><vehicle id="v" depart="0"/></routes>'),
    /vehicle v has no route/,
  );
  assert.throws(
    () => parseRouteFile('<routes><vehicle id="v" depart="0" route="r"/></routes>'),
    /vehicle v names route "r", which the file does not define/,
  );
  assert.throws(
    () => parseRouteFile('<routes><vehicle id="v" depart="triggered"><route edges="a"/></vehicle></routes>'),
    /vehicle v: depart="triggered" is not a time in seconds/,
  );
});

void test('writes one lone vehicle per vehicle, spaced apart, with the speed factor it was given', () => {
  const { vehicleTypes, vehicles } = parseRouteFile(routeFile);
  const xml = loneRoutesXml(vehicleTypes, vehicles, new Map([['v2', 1.07]]), 600);
  assert.match(xml, /<vType id="car" sigma="0"\/>/);
  assert.match(
    xml,
    /<vehicle id="lone0_v1" depart="0" type="car" departLane="best"><route edges="a b"\/><\/vehicle>/,
  );
  assert.match(
    xml,
    /<vehicle id="lone1_v2" depart="600" speedFactor="1.07"><route edges="a b c"\/><\/vehicle>/,
  );
});

void test('the bound cuts each lone trip at the end of the run as SUMO counts an unfinished trip', () => {
  const { vehicles } = parseRouteFile(
    '<routes><vehicle id="early" depart="0"><route edges="a"/></vehicle>' +
      '<vehicle id="late" depart="3550"><route edges="a"/></vehicle></routes>',
  );
  const trips: LoneTrip[] = [
    { index: 0, durationSeconds: 200, timeLossSeconds: 20, finished: true },
    { index: 1, durationSeconds: 200, timeLossSeconds: 30, finished: true },
  ];
  // early: 200 s; late: only 50 s of its trip fall in the run.
  assert.deepEqual(loneVehicleBound(vehicles, trips, 3600), {
    averageTravelSeconds: 125,
    averageTimeLossSeconds: 20,
    vehicles: 2,
  });
  assert.throws(() => loneVehicleBound(vehicles, trips.slice(0, 1), 3600), /no lone trip for vehicle late/);
  assert.throws(
    () => loneVehicleBound(vehicles, [trips[0]!, { ...trips[1]!, finished: false }], 3600),
    /the lone trip of vehicle late did not arrive/,
  );
});
