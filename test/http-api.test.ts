import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { httpFixture } from './support/http-fixture.ts';

const t0 = Date.UTC(2025, 11, 31, 23, 0);

void test('POST /api/v1/readings stores good readings and lists each rejected item with field, value and rule', async () => {
  const f = await httpFixture();
  const response = await f.post('device', '/api/v1/readings', [
    { sensor: 'pump-1.pressure', ts: t0, value: 2.5 },
    { sensor: 'pump-1.pressure', ts: t0 + 1000, value: 'high' },
    { sensor: 'pump-1.pressure', ts: 'yesterday-ish', value: 1 },
    { sensor: 'pump-1.pressure', ts: new Date(t0 + 2000).toISOString(), value: 2.7 },
  ]);
  assert.equal(response.status, 200);
  const body = (await response.json()) as {
    accepted: number;
    rejected: { index: number; field: string; value: unknown; rule: string }[];
  };
  assert.equal(body.accepted, 2);
  assert.deepEqual(
    body.rejected.map((r) => [r.index, r.field, r.value, r.rule]),
    [
      [1, 'value', 'high', 'not-a-number'],
      [2, 'ts', 'yesterday-ish', 'bad-timestamp'],
    ],
  );
  assert.deepEqual(
    f.readings.readingsOf('pump-1.pressure').map((r) => r.value),
    [2.5, 2.7],
  );
});

void test('re-sent readings are idempotent', async () => {
  const f = await httpFixture();
  const batch = [{ sensor: 's', ts: t0, value: 1 }];
  await f.post('device', '/api/v1/readings', batch);
  await f.post('device', '/api/v1/readings', batch);
  assert.equal(f.readings.readingsOf('s').length, 1);
});

void test('a body that is not JSON is 400 and a body over the limit is 413', async () => {
  const f = await httpFixture({ bodyLimitBytes: 1000 });
  const malformed = await f.post('device', '/api/v1/readings', '[{"sensor": ');
  assert.equal(malformed.status, 400);
  assert.match(((await malformed.json()) as { error: string }).error, /JSON/);
  const large = JSON.stringify(
    Array.from({ length: 100 }, (_, i) => ({ sensor: 's', ts: t0 + i, value: i })),
  );
  const tooLarge = await f.post('device', '/api/v1/readings', large);
  assert.equal(tooLarge.status, 413);
  assert.equal(f.readings.size, 0);
});

void test('a batch where every item is refused answers 400 and still lists the items', async () => {
  const f = await httpFixture();
  const response = await f.post('device', '/api/v1/readings', [{ sensor: 's', ts: t0, value: null }]);
  assert.equal(response.status, 400);
  const body = (await response.json()) as { accepted: number; rejected: unknown[] };
  assert.equal(body.accepted, 0);
  assert.equal(body.rejected.length, 1);
});

void test('SenML is accepted with Content-Type application/senml+json', async () => {
  const f = await httpFixture();
  const pack = [
    { bn: 'bridge-7.', bt: t0 / 1000, n: 'strain', v: 12.5 },
    { n: 'strain', t: 60, v: 13 },
  ];
  const response = await f.post('device', '/api/v1/readings', pack, 'application/senml+json');
  assert.equal(response.status, 200);
  assert.deepEqual(f.readings.readingsOf('bridge-7.strain'), [
    { sensor: 'bridge-7.strain', ts: t0, value: 12.5 },
    { sensor: 'bridge-7.strain', ts: t0 + 60_000, value: 13 },
  ]);
});

void test('line protocol on /api/v1/write and the Telegraf aliases answers 204 when every line is stored', async () => {
  const f = await httpFixture();
  for (const [path, sensor] of [
    ['/api/v1/write?precision=ms', 'a'],
    ['/write?precision=ms', 'b'],
    ['/api/v2/write?precision=ms', 'c'],
  ] as const) {
    const response = await f.post('device', path, `m,sensor=${sensor} value=4 ${t0}\n`, 'text/plain');
    assert.equal(response.status, 204, path);
    assert.deepEqual(f.readings.readingsOf(sensor), [{ sensor, ts: t0, value: 4 }]);
  }
  const badPrecision = await f.post('device', '/api/v1/write?precision=d', `x value=1 ${t0}\n`, 'text/plain');
  assert.equal(badPrecision.status, 400);
});

void test('gzip bodies, as Telegraf sends them, are inflated; a gzip bomb past the limit is 413', async () => {
  const f = await httpFixture({ bodyLimitBytes: 10_000 });
  const lines = `m,sensor=g value=1 ${t0}\nm,sensor=g value=2 ${t0 + 1}\n`;
  const gzip = (text: string) => new Uint8Array(gzipSync(Buffer.from(text)));
  const response = await f.request('device', '/api/v2/write?precision=ms', {
    method: 'POST',
    body: gzip(lines),
    headers: { 'Content-Encoding': 'gzip' },
  });
  assert.equal(response.status, 204);
  assert.deepEqual(
    f.readings.readingsOf('g').map((r) => r.value),
    [1, 2],
  );
  const bomb = await f.request('device', '/api/v2/write?precision=ms', {
    method: 'POST',
    body: gzip(`m,sensor=g value=3 ${t0 + 2}\n`.repeat(2000)),
    headers: { 'Content-Encoding': 'gzip' },
  });
  assert.equal(bomb.status, 413);
  assert.equal(f.readings.readingsOf('g').length, 2);
});

void test('an overloaded store gives 429 with Retry-After and stores nothing', async () => {
  const f = await httpFixture({ readings: { capacityReadings: 1, retryAfterSeconds: 3 } });
  const response = await f.post('device', '/api/v1/readings', [
    { sensor: 's', ts: t0, value: 1 },
    { sensor: 's', ts: t0 + 1, value: 2 },
  ]);
  assert.equal(response.status, 429);
  assert.equal(response.headers.get('retry-after'), '3');
  assert.equal(f.readings.size, 0);
});

void test('the response waits for the store: no 2xx before the ingestor resolves', async () => {
  const f = await httpFixture();
  f.readings.hold();
  let answered = false;
  const pending = f.post('device', '/api/v1/readings', [{ sensor: 's', ts: t0, value: 1 }]).then((r) => {
    answered = true;
    return r;
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(answered, false);
  f.readings.release();
  assert.equal((await pending).status, 200);
});

void test('under the reject policy readings of unknown sensors are refused and the others stored', async () => {
  const f = await httpFixture({ policy: 'reject' });
  await f.registry.putSensors([
    { id: 'known', kind: 'flow', unit: 'l/s', asset: null, lat: null, lon: null, tags: {} },
  ]);
  const response = await f.post('device', '/api/v1/readings', [
    { sensor: 'stranger', ts: t0, value: 1 },
    { sensor: 'known', ts: t0, value: 2 },
  ]);
  const body = (await response.json()) as {
    accepted: number;
    rejected: { index: number; rule: string; value: unknown }[];
  };
  assert.equal(body.accepted, 1);
  assert.deepEqual(
    body.rejected.map((r) => [r.index, r.rule, r.value]),
    [[0, 'unknown-sensor', 'stranger']],
  );
  assert.equal(f.registry.hasSensor('stranger'), false);
});

void test('under the auto-register policy unknown sensors are registered', async () => {
  const f = await httpFixture({ policy: 'auto-register' });
  await f.post('device', '/api/v1/readings', [{ sensor: 'new-one', ts: t0, value: 1 }]);
  const sensor = await f.request('viewer', '/api/v1/sensors/new-one');
  assert.equal(sensor.status, 200);
  assert.equal(((await sensor.json()) as { kind: string }).kind, 'unknown');
});

void test('assets and sensors: create, read, update, list, delete', async () => {
  const f = await httpFixture();
  const created = await f.post('admin', '/api/v1/assets', {
    id: 'p1',
    type: 'pump',
    name: 'Pump 1',
    lat: 52.37,
    lon: 4.9,
  });
  assert.equal(created.status, 201);
  const invalid = await f.post('admin', '/api/v1/assets', { id: 'p2', lat: 123 });
  assert.equal(invalid.status, 400);
  const errors = ((await invalid.json()) as { errors: { field: string; value: unknown; rule: string }[] })
    .errors;
  assert.deepEqual(
    errors.map((e) => [e.field, e.value, e.rule]),
    [['lat', 123, 'coordinate']],
  );
  const put = await f.request('admin', '/api/v1/sensors/p1.flow', {
    method: 'PUT',
    body: JSON.stringify({ kind: 'flow', unit: 'l/s', asset: 'p1' }),
  });
  assert.equal(put.status, 200);
  const list = (await (await f.request('viewer', '/api/v1/sensors?asset=p1')).json()) as {
    sensors: { id: string }[];
  };
  assert.deepEqual(
    list.sensors.map((s) => s.id),
    ['p1.flow'],
  );
  assert.equal((await f.request('admin', '/api/v1/assets/p1', { method: 'DELETE' })).status, 204);
  assert.equal((await f.request('viewer', '/api/v1/assets/p1')).status, 404);
  assert.equal(
    ((await (await f.request('viewer', '/api/v1/sensors/p1.flow')).json()) as { asset: unknown }).asset,
    null,
  );
});

void test('bulk import from CSV names the row, field, value and rule of refused rows and stores the rest', async () => {
  const f = await httpFixture();
  const csv =
    'id,type,name,lat,lon,tag.district\nb1,bridge,"Bridge, north",52.1,4.2,north\nb2,bridge,Bad,95,4.2,\n';
  const response = await f.post('admin', '/api/v1/assets/import', csv, 'text/csv');
  assert.equal(response.status, 200);
  const body = (await response.json()) as {
    imported: number;
    rejected: { row: number; field: string; value: unknown; rule: string }[];
  };
  assert.equal(body.imported, 1);
  assert.deepEqual(
    body.rejected.map((r) => [r.row, r.field, r.value, r.rule]),
    [[3, 'lat', '95', 'coordinate']],
  );
  const asset = (await (await f.request('viewer', '/api/v1/assets/b1')).json()) as {
    name: string;
    tags: object;
  };
  assert.equal(asset.name, 'Bridge, north');
  assert.deepEqual(asset.tags, { district: 'north' });
});

void test('bulk import from GeoJSON takes coordinates from Point geometries', async () => {
  const f = await httpFixture();
  const geojson = {
    type: 'FeatureCollection',
    features: [
      {
        type: 'Feature',
        id: 'h1',
        geometry: { type: 'Point', coordinates: [4.89, 52.37] },
        properties: { kind: 'level', unit: 'm' },
      },
    ],
  };
  const response = await f.post('admin', '/api/v1/sensors/import', geojson, 'application/geo+json');
  assert.equal(response.status, 200);
  const sensor = (await (await f.request('viewer', '/api/v1/sensors/h1')).json()) as {
    lat: number;
    lon: number;
    kind: string;
  };
  assert.deepEqual([sensor.lat, sensor.lon, sensor.kind], [52.37, 4.89, 'level']);
});

void test('series, latest (GET and POST) and asset state answer from the store', async () => {
  const f = await httpFixture();
  await f.registry.putAssets([{ id: 'p1', type: 'pump', name: '', lat: null, lon: null, tags: {} }]);
  await f.registry.putSensors([
    { id: 'p1.rpm', kind: 'rpm', unit: '1/min', asset: 'p1', lat: null, lon: null, tags: {} },
  ]);
  const values = Array.from({ length: 120 }, (_, i) => ({ sensor: 'p1.rpm', ts: t0 + i * 1000, value: i }));
  await f.post('device', '/api/v1/readings', values);
  const series = await f.request(
    'viewer',
    `/api/v1/sensors/p1.rpm/readings?from=${t0}&to=${t0 + 120_000}&step=1m&agg=max`,
  );
  assert.deepEqual(((await series.json()) as { points: unknown }).points, [
    { ts: t0, value: 59 },
    { ts: t0 + 60_000, value: 119 },
  ]);
  const bad = await f.request(
    'viewer',
    `/api/v1/sensors/p1.rpm/readings?from=${t0}&to=${t0 + 1000}&agg=median`,
  );
  assert.equal(bad.status, 400);
  const latest = (await (await f.request('viewer', '/api/v1/latest?sensors=p1.rpm,none')).json()) as {
    latest: object;
  };
  assert.deepEqual(latest.latest, { 'p1.rpm': { ts: t0 + 119_000, value: 119 } });
  const posted = (await (await f.post('viewer', '/api/v1/latest', { sensors: ['p1.rpm'] })).json()) as {
    latest: object;
  };
  assert.deepEqual(posted.latest, latest.latest);
  const state = (await (await f.request('viewer', '/api/v1/assets/p1/state')).json()) as {
    sensors: { latest: unknown }[];
  };
  assert.deepEqual(state.sensors[0]?.latest, { ts: t0 + 119_000, value: 119 });
});

void test('the live stream sends readings of the filtered sensors only, after they are stored', async () => {
  const f = await httpFixture();
  const response = await f.request('viewer', '/api/v1/stream?sensor=wanted');
  assert.equal(response.headers.get('content-type'), 'text/event-stream');
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes('event: ready')) text += decoder.decode((await reader.read()).value);
  await f.post('device', '/api/v1/readings', [
    { sensor: 'other', ts: t0, value: 1 },
    { sensor: 'wanted', ts: t0, value: 2 },
  ]);
  while (!text.includes('event: reading')) text += decoder.decode((await reader.read()).value);
  assert.match(text, /data: \{"sensor":"wanted","ts":\d+,"value":2\}/);
  assert.doesNotMatch(text, /"other"/);
  f.closing.abort();
  await reader.cancel();
});

void test('the stream filters by bounding box through the registry', async () => {
  const f = await httpFixture();
  await f.registry.putSensors([
    { id: 'in', kind: 'k', unit: '', asset: null, lat: 52.0, lon: 4.0, tags: {} },
    { id: 'out', kind: 'k', unit: '', asset: null, lat: 10.0, lon: 4.0, tags: {} },
  ]);
  assert.equal((await f.request('viewer', '/api/v1/stream?bbox=1,2,3')).status, 400);
  const response = await f.request('viewer', '/api/v1/stream?bbox=3.5,51.5,4.5,52.5');
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes('event: ready')) text += decoder.decode((await reader.read()).value);
  await f.post('device', '/api/v1/readings', [
    { sensor: 'out', ts: t0, value: 1 },
    { sensor: 'in', ts: t0, value: 2 },
  ]);
  while (!text.includes('event: reading')) text += decoder.decode((await reader.read()).value);
  assert.match(text, /"sensor":"in"/);
  assert.doesNotMatch(text, /"sensor":"out"/);
  await reader.cancel();
});

void test('/metrics counts accepted readings and rejections by reason', async () => {
  const f = await httpFixture();
  await f.post('device', '/api/v1/readings', [
    { sensor: 's', ts: t0, value: 1 },
    { sensor: 's', ts: t0 + 1, value: 'x' },
  ]);
  const text = await (await f.request('viewer', '/metrics')).text();
  assert.match(text, /urban_brain_readings_accepted_total 1/);
  assert.match(text, /urban_brain_readings_rejected_total\{reason="not-a-number"\} 1/);
  assert.match(text, /urban_brain_store_write_seconds_count 1/);
});

void test('while more readings than the in-flight limit wait for the store, new batches get 429 at once', async () => {
  const f = await httpFixture({ maxInFlightReadings: 3 });
  f.readings.hold();
  const first = f.post('device', '/api/v1/readings', [
    { sensor: 's', ts: t0, value: 1 },
    { sensor: 's', ts: t0 + 1, value: 2 },
  ]);
  await new Promise((resolve) => setTimeout(resolve, 20));
  const second = await f.post('device', '/api/v1/readings', [
    { sensor: 's', ts: t0 + 2, value: 3 },
    { sensor: 's', ts: t0 + 3, value: 4 },
  ]);
  assert.equal(second.status, 429);
  assert.equal(second.headers.get('retry-after'), '1');
  f.readings.release();
  assert.equal((await first).status, 200);
  assert.deepEqual(
    f.readings.readingsOf('s').map((r) => r.value),
    [1, 2],
  );
});
