import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateGridDistrict } from '../../core/traffic/grid-roadnet.ts';
import { districtCentre, generateCity, spacingMetres } from './city.ts';

test('the same seed gives the same city, with exactly the sensors asked for', () => {
  const first = generateCity({ sensorCount: 1234, seed: 7 });
  const second = generateCity({ sensorCount: 1234, seed: 7 });
  assert.equal(first.sensors.length, 1234);
  assert.deepEqual(first, second);
  assert.notDeepEqual(generateCity({ sensorCount: 1234, seed: 8 }).assets, first.assets);
});

test('every sensor sits on a registered asset near the city centre, ids are unique', () => {
  const city = generateCity({ sensorCount: 3000, seed: 42 });
  const assets = new Map(city.assets.map((asset) => [asset.id, asset]));
  assert.equal(assets.size, city.assets.length);
  assert.equal(new Set(city.sensors.map((entry) => entry.sensor.id)).size, city.sensors.length);
  for (const { sensor } of city.sensors) {
    assert.ok(assets.has(sensor.asset ?? ''), `${sensor.id} has no asset`);
    assert.ok(
      Math.abs((sensor.lat ?? 0) - city.centre.lat) < 0.1 &&
        Math.abs((sensor.lon ?? 0) - city.centre.lon) < 0.15,
    );
  }
  const types = new Set(city.assets.map((asset) => asset.type));
  for (const type of ['pump', 'bridge', 'substation', 'water-main', 'intersection', 'hospital'])
    assert.ok(types.has(type), type);
  assert.ok(city.roads.length > 20);
});

test('refuses a city too small to hold its fixed assets', () => {
  assert.throws(() => generateCity({ sensorCount: 50, seed: 1 }), /sensorCount must be an integer ≥ 200/);
});

test('the live signalised district lies on junctions of the street grid, not mid-block', () => {
  // Regression: a 6 × 6 district centred on a 21 × 21 grid put every intersection half a block
  // east and north of a junction, about 240 m away, between the city's streets.
  for (const sensorCount of [1000, 3000, 8000]) {
    const city = generateCity({ sensorCount, seed: 42 });
    const district = generateGridDistrict({
      rows: 6,
      columns: 6,
      spacingMetres,
      centre: districtCentre(sensorCount, 6),
      durationSeconds: 60,
    });
    for (const place of district.places) {
      const metres = Math.min(
        ...city.nodes.map((node) =>
          Math.hypot(
            (node.position.lat - place.lat) * 111_320,
            (node.position.lon - place.lon) * 111_320 * Math.cos((place.lat * Math.PI) / 180),
          ),
        ),
      );
      assert.ok(
        metres < 0.25 * spacingMetres,
        `${sensorCount} sensors: ${place.id} is ${metres} m from a junction`,
      );
    }
  }
});
