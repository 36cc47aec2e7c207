import assert from 'node:assert/strict';
import { test } from 'node:test';
import { httpFixture } from '../../../../test/support/http-fixture.ts';

void test('the state of an asset lists all its sensors; bug: it stopped at 10,000', async () => {
  const f = await httpFixture();
  const count = 10_005;
  await f.registry.putAssets([{ id: 'big pump', type: 'pump', name: '', lat: null, lon: null, tags: {} }]);
  await f.registry.putSensors(
    Array.from({ length: count }, (_, i) => ({
      id: `p.${String(i).padStart(5, '0')}`,
      kind: 'flow',
      unit: 'l/s',
      asset: 'big pump',
      lat: null,
      lon: null,
      tags: {},
    })),
  );
  const ts = Date.UTC(2025, 11, 31);
  await f.post('device', '/api/v1/readings', [{ sensor: 'p.10004', ts, value: 4 }]);
  const response = await f.request('viewer', '/api/v1/assets/big%20pump/state');
  const body = (await response.json()) as { sensors: { id: string; latest: unknown }[] };
  assert.equal(body.sensors.length, count);
  assert.equal(new Set(body.sensors.map((sensor) => sensor.id)).size, count);
  assert.deepEqual(body.sensors.at(-1), {
    id: 'p.10004',
    kind: 'flow',
    unit: 'l/s',
    asset: 'big pump',
    lat: null,
    lon: null,
    tags: {},
    latest: { ts, value: 4 },
  });
});
