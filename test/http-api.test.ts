import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { Hono } from 'hono';
import type { AppEnv } from '../src/adapters/http/env.ts';
import { requireRole } from '../src/adapters/http/middleware/auth.ts';
import { withEngineReadiness } from '../src/adapters/http/readiness.ts';
import { listen } from '../src/adapters/http/server.ts';
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

void test('re-sent readings are idempotent: the first stored value is kept, a re-send is acknowledged', async () => {
  const f = await httpFixture();
  const batch = [{ sensor: 's', ts: t0, value: 1 }];
  await f.post('device', '/api/v1/readings', batch);
  await f.post('device', '/api/v1/readings', batch);
  assert.equal(f.readings.readingsOf('s').length, 1);
  // The docs once said the later value wins; the store keeps the first.
  const changed = await f.post('device', '/api/v1/readings', [{ sensor: 's', ts: t0, value: 2 }]);
  assert.equal(changed.status, 200);
  assert.deepEqual(f.readings.readingsOf('s'), [{ sensor: 's', ts: t0, value: 1 }]);
  const latest = (await (await f.request('viewer', '/api/v1/latest?sensors=s')).json()) as { latest: object };
  assert.deepEqual(latest.latest, { s: { ts: t0, value: 1 } });
});

void test('sensor ids the registry forbids are refused at ingest, so every auto-registered sensor can be edited', async () => {
  // Regression: "t/c+#" was auto-registered and PUT /api/v1/sensors/<id> then failed on the id rule.
  const f = await httpFixture();
  const response = await f.post('device', '/api/v1/readings', [
    { sensor: 't/c+#', ts: t0, value: 1 },
    { sensor: 'ok', ts: t0, value: 2 },
  ]);
  assert.equal(response.status, 200);
  const body = (await response.json()) as { rejected: { index: number; field: string; rule: string }[] };
  assert.deepEqual(
    body.rejected.map((r) => [r.index, r.field, r.rule]),
    [[0, 'sensor', 'bad-sensor-id']],
  );
  const senml = await f.post(
    'device',
    '/api/v1/readings',
    [{ bn: 'dev6/', n: 'x', v: 1 }],
    'application/senml+json',
  );
  assert.equal(senml.status, 400);
  assert.equal(f.registry.hasSensor('t/c+#'), false);
  assert.equal(f.registry.hasSensor('dev6/x'), false);
  const edit = await f.request('admin', '/api/v1/sensors/ok', {
    method: 'PUT',
    body: JSON.stringify({ kind: 'flow', unit: 'l/s' }),
  });
  assert.equal(edit.status, 200);
});

void test('line protocol: a line with only string or boolean fields is refused, so 204 means every line stored', async () => {
  // Regression: `wx,sensor=w7 s="str"` got 204 and nothing was stored.
  const f = await httpFixture();
  const only = await f.post(
    'device',
    '/write?precision=ms',
    `wx,sensor=w7 s="str",on=true ${t0}\n`,
    'text/plain',
  );
  assert.equal(only.status, 400);
  const mixed = await f.post(
    'device',
    '/write?precision=ms',
    `wx,sensor=w7 s="str" ${t0}\nwx,sensor=w8 value=1,on=true ${t0}\n`,
    'text/plain',
  );
  assert.equal(mixed.status, 200);
  const body = (await mixed.json()) as {
    accepted: number;
    rejected: { index: number; field: string; rule: string }[];
  };
  assert.equal(body.accepted, 1);
  assert.deepEqual(
    body.rejected.map((r) => [r.index, r.field, r.rule]),
    [[0, 's', 'not-a-number']],
  );
  const clean = await f.post(
    'device',
    '/write?precision=ms',
    `wx,sensor=w9 value=2,on=true,note="x" ${t0}\n`,
    'text/plain',
  );
  assert.equal(clean.status, 204);
  assert.deepEqual(f.readings.readingsOf('w9'), [{ sensor: 'w9', ts: t0, value: 2 }]);
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

void test('over a socket, the body limit holds for bodies of declared length and for chunked ones alike', async () => {
  const f = await httpFixture({ bodyLimitBytes: 1000 });
  const limits = { maxConnections: 10, headersTimeoutMillis: 1_000, requestTimeoutMillis: 2_000 };
  const server = await listen(f.app.fetch, { host: '127.0.0.1', port: 0, ...limits });
  const port = (server.address() as AddressInfo).port;
  /** POSTs `lines` of line protocol, with Content-Length or chunked; the status and the answer. */
  const send = (lines: string, chunked: boolean) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const body = Buffer.from(lines);
      const headers: Record<string, string> = {
        authorization: `Bearer ${f.secrets.device}`,
        'content-type': 'text/plain',
      };
      if (!chunked) headers['content-length'] = String(body.length);
      const request = httpRequest(
        { host: '127.0.0.1', port, method: 'POST', path: '/api/v1/write?precision=ms', headers },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
          );
        },
      );
      request.on('error', reject);
      // In pieces: a chunked body is counted as it arrives, not from a header.
      for (let at = 0; at < body.length; at += 100) request.write(body.subarray(at, at + 100));
      request.end();
    });
  const lines = (sensor: string, count: number) =>
    Array.from({ length: count }, (_, i) => `m,sensor=${sensor} value=${i} ${t0 + i}\n`).join('');
  try {
    assert.ok(lines('big', 40).length > 1000);
    for (const chunked of [false, true]) {
      const sensor = chunked ? 'chunked' : 'declared';
      const tooLarge = await send(lines(sensor, 40), chunked);
      assert.equal(tooLarge.status, 413, sensor);
      assert.match(tooLarge.body, /body larger than 1000 bytes/);
      assert.equal(f.readings.readingsOf(sensor).length, 0);
      assert.equal((await send(lines(sensor, 5), chunked)).status, 204, sensor);
      assert.deepEqual(
        f.readings.readingsOf(sensor).map((reading) => reading.value),
        [0, 1, 2, 3, 4],
      );
    }
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

void test('over a socket, a large line-protocol body is read in pieces as it arrives: every reading whole, line numbers kept', async () => {
  const f = await httpFixture({ bodyLimitBytes: 4_000_000 });
  const limits = { maxConnections: 10, headersTimeoutMillis: 1_000, requestTimeoutMillis: 5_000 };
  const server = await listen(f.app.fetch, { host: '127.0.0.1', port: 0, ...limits });
  const port = (server.address() as AddressInfo).port;
  // Sensor ids of two-, three- and four-byte characters, so chunks end inside characters; 20,000
  // lines (about 800 kB) are many pieces and many chunks; line 15,001 is refused.
  const names = ['café', '€uro', '🌉bridge', 'plain'];
  const lines = Array.from({ length: 20_000 }, (_, i) =>
    i === 15_000 ? 'm,sensor=plain value=high' : `m,sensor=${names[i % 4]}-${i % 7} value=${i} ${t0 + i}`,
  );
  const body = Buffer.from(lines.join('\n'));
  /** Sends `bytes` of a body declared `length` long in uneven writes; `cut` ends the connection early. */
  const send = (bytes: Buffer, length: number, cut: boolean) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/v1/write?precision=ms',
          headers: {
            authorization: `Bearer ${f.secrets.device}`,
            'content-type': 'text/plain',
            'content-length': String(length),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
          );
        },
      );
      request.on('error', (error) => (cut ? resolve({ status: 0, body: error.message }) : reject(error)));
      for (let at = 0, step = 1; at < bytes.length; at += step, step = (step * 7 + 3) % 9_001)
        request.write(bytes.subarray(at, at + step));
      if (cut) setTimeout(() => request.destroy(), 200);
      else request.end();
    });
  try {
    // Cut off half way: nothing of it is stored.
    const half = body.subarray(0, body.length >> 1);
    await send(half, body.length, true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(f.readings.size, 0);
    const answer = await send(body, body.length, false);
    assert.equal(answer.status, 200, answer.body);
    const outcome = JSON.parse(answer.body) as {
      accepted: number;
      rejected: { index: number; rule: string }[];
    };
    assert.equal(outcome.accepted, 19_999);
    assert.deepEqual(
      outcome.rejected.map((r) => [r.index, r.rule]),
      [[15_000, 'not-a-number']],
    );
    for (const [n, name] of names.entries()) {
      const sensor = `${name}-${n}`;
      const expected = lines
        .map((line, i) => ({ line, i }))
        .filter(({ line, i }) => i !== 15_000 && line.startsWith(`m,sensor=${sensor} `))
        .map(({ i }) => i);
      assert.deepEqual(
        f.readings.readingsOf(sensor).map((reading) => reading.value),
        expected,
        sensor,
      );
    }
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

void test('a large JSON batch or SenML pack, read in pieces, stores every good item and names the bad one by its index', async () => {
  const f = await httpFixture({ bodyLimitBytes: 4_000_000 });
  const items = Array.from({ length: 12_000 }, (_, i) =>
    i === 9_000
      ? { sensor: 'big-0', ts: t0 + i, value: 'high' }
      : { sensor: `big-${i % 3}`, ts: t0 + i, value: i },
  );
  assert.ok(JSON.stringify(items).length > 200_000);
  const answer = await f.post('device', '/api/v1/readings', items);
  assert.equal(answer.status, 200);
  const outcome = (await answer.json()) as { accepted: number; rejected: { index: number; rule: string }[] };
  assert.equal(outcome.accepted, 11_999);
  assert.deepEqual(
    outcome.rejected.map((r) => [r.index, r.rule]),
    [[9_000, 'not-a-number']],
  );
  assert.deepEqual(
    f.readings.readingsOf('big-0').map((reading) => reading.value),
    items.filter((item, i) => item.sensor === 'big-0' && i !== 9_000).map((item) => item.value),
  );
  const pack = [
    { bn: 'pack.', bt: t0 / 1000 },
    ...Array.from({ length: 8_000 }, (_, i) => ({ n: 'v', t: i, v: i })),
  ];
  const senml = await f.post('device', '/api/v1/readings', pack, 'application/senml+json');
  assert.equal(senml.status, 200);
  assert.equal(((await senml.json()) as { accepted: number }).accepted, 8_000);
  assert.equal(f.readings.readingsOf('pack.v').length, 8_000);
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

void test('the SenML type is matched in any case with parameters; SenML in CBOR is a 415 and stores nothing', async () => {
  // Regression: `Application/SenML+JSON` was read as plain JSON (400, "sensor missing"), and
  // `application/senml+cbor` as SenML JSON.
  const f = await httpFixture();
  const pack = [{ bn: 'case.', bt: t0 / 1000, n: 'x', v: 1 }];
  const mixed = await f.post('device', '/api/v1/readings', pack, 'Application/SenML+JSON; charset=utf-8');
  assert.equal(mixed.status, 200);
  assert.deepEqual(f.readings.readingsOf('case.x'), [{ sensor: 'case.x', ts: t0, value: 1 }]);
  const cbor = await f.post(
    'device',
    '/api/v1/readings',
    [{ bn: 'cbor.', n: 'x', v: 1 }],
    'application/senml+cbor',
  );
  assert.equal(cbor.status, 415);
  assert.match(
    ((await cbor.json()) as { error: string }).error,
    /application\/senml\+cbor' is not read here/,
  );
  assert.deepEqual(f.readings.readingsOf('cbor.x'), []);
});

void test('a body nested too deep is answered 400 (or its item refused), never 500 after storing the rest', async () => {
  // Regression: 20,000 nested arrays in one item: the good item was stored and the answer was 500
  // (writing the rejection back overflowed the stack); the registry and other routes answered 500.
  const f = await httpFixture();
  const deep = '['.repeat(20_000) + ']'.repeat(20_000);
  const readings = await f.post(
    'device',
    '/api/v1/readings',
    `[{"sensor":"deep.ok","ts":${t0},"value":1},{"sensor":"deep.ok","value":${deep}}]`,
  );
  assert.equal(readings.status, 200);
  const answer = (await readings.json()) as {
    accepted: number;
    rejected: { index: number; value: unknown }[];
  };
  assert.equal(answer.accepted, 1);
  assert.deepEqual(
    answer.rejected.map((r) => [r.index, r.value]),
    [[1, '(nested deeper than 64 levels: not repeated)']],
  );
  assert.deepEqual(f.readings.readingsOf('deep.ok'), [{ sensor: 'deep.ok', ts: t0, value: 1 }]);
  for (const path of ['/api/v1/assets', '/api/v1/sensors', '/api/v1/keys', '/api/v1/latest']) {
    const response = await f.post('admin', path, `{"id":"deep","type":${deep}}`);
    assert.equal(response.status, 400, path);
    assert.deepEqual(await response.json(), { error: 'body is nested deeper than 64 levels' }, path);
  }
  const imported = await f.post(
    'admin',
    '/api/v1/assets/import',
    `{"type":"FeatureCollection","features":${deep}}`,
  );
  assert.equal(imported.status, 400);
  assert.match(((await imported.json()) as { error: string }).error, /^body is nested deeper than 64 levels/);
});

void test('a path asked with a method it does not have is a 405 listing the methods in Allow; an unknown path a 404', async () => {
  // Regression: both were 404, and no answer said which methods a path has.
  const f = await httpFixture();
  for (const [method, path, allow] of [
    ['DELETE', '/api/v1/readings', 'POST'],
    ['GET', '/api/v1/readings', 'POST'],
    ['PUT', '/api/v1/assets', 'GET, HEAD, POST'],
    ['POST', '/api/v1/sensors/s1/readings', 'GET, HEAD'],
  ] as const) {
    const response = await f.request('admin', path, { method });
    assert.equal(response.status, 405, `${method} ${path}`);
    assert.equal(response.headers.get('allow'), allow, `${method} ${path}`);
    assert.deepEqual(await response.json(), {
      error: `${method} is not allowed on ${path} (allowed: ${allow})`,
    });
  }
  const unknown = await f.request('admin', '/api/v1/nowhere', { method: 'GET' });
  assert.equal(unknown.status, 404);
  assert.equal(unknown.headers.get('allow'), null);
  assert.equal(
    (await f.request(null, '/api/v1/assets', { method: 'PUT' })).status,
    401,
    'a request without a key learns nothing',
  );
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

void test('a line whose sensor id is not UTF-8 is refused, not stored under U+FFFD; the other lines are stored', async () => {
  // Regression: `sensor=inv\xff` was decoded to `inv\ufffd` and stored under an id no client sent.
  const f = await httpFixture();
  const body = Buffer.concat([
    Buffer.from(`m,sensor=ok value=1 ${t0}\nm,sensor=inv`),
    Buffer.from([0xff]),
    Buffer.from(` value=2 ${t0}\n`),
  ]);
  const response = await f.request('device', '/api/v2/write?precision=ms', {
    method: 'POST',
    body: new Uint8Array(body),
    headers: { 'Content-Type': 'text/plain' },
  });
  assert.equal(response.status, 200);
  const answer = (await response.json()) as { accepted: number; rejected: { index: number; rule: string }[] };
  assert.equal(answer.accepted, 1);
  assert.deepEqual(
    answer.rejected.map((r) => [r.index, r.rule]),
    [[1, 'bad-sensor-id']],
  );
  assert.deepEqual(f.readings.readingsOf('ok'), [{ sensor: 'ok', ts: t0, value: 1 }]);
  assert.deepEqual(f.readings.readingsOf('inv\ufffd'), []);
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
  // Counted under the path it came by, batches and readings; the other paths are at 0.
  const text = await (await f.request('viewer', '/metrics')).text();
  assert.match(text, /^urban_brain_ingest_overloaded_total\{path="json"\} 1$/m);
  assert.match(text, /^urban_brain_ingest_overloaded_readings_total\{path="json"\} 2$/m);
  assert.match(text, /^urban_brain_ingest_overloaded_total\{path="line_protocol"\} 0$/m);
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

void test('registry lists, imports and the live stream refuse a parameter they do not take, naming it', async () => {
  // Regression: `?assett=p1` listed every sensor, `?atomic=yes` imported non-atomically, and a
  // stream asked for `?senosr=a` streamed every sensor.
  const f = await httpFixture();
  const refused = async (role: 'viewer' | 'admin', path: string, init?: RequestInit) => {
    const response = await f.request(role, path, init);
    assert.equal(response.status, 400, path);
    return ((await response.json()) as { error: string }).error;
  };
  assert.equal(
    await refused('viewer', '/api/v1/sensors?assett=p1'),
    "unknown parameter 'assett': it takes asset, kind, bbox, tag, limit, offset",
  );
  assert.match(await refused('viewer', '/api/v1/assets?kind=pump&limit=5'), /unknown parameter 'kind'/);
  assert.match(await refused('viewer', '/api/v1/stream?senosr=a'), /unknown parameter 'senosr'/);
  const csv = { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'id,type\np7,pump\n' };
  assert.equal(
    await refused('admin', '/api/v1/assets/import?atomic=yes', csv),
    "atomic='yes' must be true or false",
  );
  assert.match(
    await refused('admin', '/api/v1/assets/import?dryrun=true', csv),
    /unknown parameter 'dryrun'/,
  );
  assert.equal(
    (await f.request('viewer', '/api/v1/assets/p7')).status,
    404,
    'a refused import stores nothing',
  );
  assert.equal(
    (await f.request('viewer', '/api/v1/sensors?asset=p1&kind=flow&limit=5&offset=0')).status,
    200,
  );
  assert.equal((await f.request('admin', '/api/v1/assets/import?atomic=false', csv)).status, 200);
});

void test('registry lists filter by bounding box and tags, and refuse a bad box or tag naming it', async () => {
  const f = await httpFixture();
  const put = async (path: string, body: unknown) =>
    assert.equal((await f.post('admin', path, body)).status, 201, path);
  await put('/api/v1/assets', {
    id: 'p1',
    type: 'pump',
    name: 'North',
    lat: 52.5,
    lon: 13.4,
    tags: { district: 'north' },
  });
  await put('/api/v1/assets', {
    id: 'p2',
    type: 'pump',
    name: 'South',
    lat: 48.1,
    lon: 11.6,
    tags: { district: 'south' },
  });
  await put('/api/v1/sensors', {
    id: 'p1.flow',
    kind: 'flow',
    unit: 'l/s',
    asset: 'p1',
    tags: { zone: 'a=1' },
  });
  await put('/api/v1/sensors', {
    id: 'p2.flow',
    kind: 'flow',
    unit: 'l/s',
    asset: 'p2',
    tags: { zone: 'b' },
  });
  const ids = async (path: string) => {
    const response = await f.request('viewer', path);
    assert.equal(response.status, 200, path);
    const body = (await response.json()) as { sensors?: { id: string }[]; assets?: { id: string }[] };
    return (body.sensors ?? body.assets ?? []).map((item) => item.id);
  };
  assert.deepEqual(
    await ids('/api/v1/sensors?bbox=13,52,14,53'),
    ['p1.flow'],
    "placed at its asset's position",
  );
  assert.deepEqual(await ids('/api/v1/sensors?tag=zone=a%3D1'), ['p1.flow'], 'the value after the first =');
  assert.deepEqual(await ids('/api/v1/sensors?tag=zone'), ['p1.flow', 'p2.flow']);
  assert.deepEqual(await ids('/api/v1/sensors?tag=zone&tag=zone=b&kind=flow'), ['p2.flow']);
  assert.deepEqual(await ids('/api/v1/assets?tag=district=south&type=pump'), ['p2']);
  assert.deepEqual(await ids('/api/v1/assets?bbox=11,48,12,49&tag=district=north'), []);
  const refused = async (path: string) => {
    const response = await f.request('viewer', path);
    assert.equal(response.status, 400, path);
    return ((await response.json()) as { error: string }).error;
  };
  assert.match(
    await refused('/api/v1/sensors?bbox=13,52,14'),
    /bbox='13,52,14' must be minLon,minLat,maxLon,maxLat/,
  );
  assert.match(await refused('/api/v1/assets?bbox=14,52,13,53'), /each minimum must not exceed its maximum/);
  assert.match(await refused('/api/v1/assets?bbox=1,1,2,2&bbox=3,3,4,4'), /give one box, got 2/);
  assert.match(await refused('/api/v1/sensors?tag==a'), /tag='=a' must be key=value/);
  assert.match(await refused(`/api/v1/sensors?${'tag=a&'.repeat(17)}`), /at most 16 tag conditions, got 17/);
});

void test('a sensor or asset is updated in part with a JSON Merge Patch; the result is checked as a replacement is', async () => {
  const f = await httpFixture();
  const send = (path: string, body: unknown) =>
    f.request('admin', path, {
      method: 'PATCH',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
  assert.equal(
    (
      await f.post('admin', '/api/v1/assets', {
        id: 'p1',
        type: 'pump',
        name: 'North',
        lat: 52.5,
        lon: 13.4,
        tags: { district: 'north' },
      })
    ).status,
    201,
  );
  assert.equal(
    (await f.post('admin', '/api/v1/assets', { id: 'p2', type: 'pump', name: 'South' })).status,
    201,
  );
  assert.equal(
    (
      await f.post('admin', '/api/v1/sensors', {
        id: 's1',
        kind: 'flow',
        unit: 'l/s',
        asset: 'p1',
        lat: 52.51,
        lon: 13.41,
        tags: { zone: 'a', floor: '2' },
      })
    ).status,
    201,
  );
  const patched = await send('/api/v1/sensors/s1', {
    unit: 'm3/h',
    lat: null,
    lon: null,
    tags: { zone: 'b', floor: null, owner: 'city' },
  });
  assert.equal(patched.status, 200);
  const expected = {
    id: 's1',
    kind: 'flow',
    unit: 'm3/h',
    asset: 'p1',
    lat: null,
    lon: null,
    tags: { zone: 'b', owner: 'city' },
  };
  assert.deepEqual(await patched.json(), expected);
  assert.deepEqual(await (await f.request('viewer', '/api/v1/sensors/s1')).json(), expected, 'stored');
  const moved = await send('/api/v1/sensors/s1', { asset: 'p2' });
  assert.equal(((await moved.json()) as { asset: string }).asset, 'p2');
  const asset = await send('/api/v1/assets/p1', { name: 'North station', tags: { district: null } });
  assert.deepEqual(await asset.json(), {
    id: 'p1',
    type: 'pump',
    name: 'North station',
    lat: 52.5,
    lon: 13.4,
    tags: {},
  });

  const refused = async (path: string, body: unknown, status: number, message: RegExp) => {
    const response = await send(path, body);
    assert.equal(response.status, status, JSON.stringify(body));
    const answer = (await response.json()) as { error: string; errors?: { field: string; rule: string }[] };
    assert.match(JSON.stringify(answer), message);
  };
  await refused('/api/v1/sensors/s1', { asset: 'nowhere' }, 400, /unknown asset|nowhere/);
  await refused('/api/v1/sensors/s1', { lat: 95 }, 400, /"field":"lat"/);
  await refused('/api/v1/sensors/s1', { colour: 'red' }, 400, /colour/);
  await refused('/api/v1/sensors/s1', { id: 's2' }, 400, /an id cannot be changed/);
  await refused(
    '/api/v1/sensors/s1',
    [{ op: 'replace' }],
    400,
    /a JSON Merge Patch \(RFC 7396\) of the sensor/,
  );
  await refused('/api/v1/sensors/s1', '{"unit":', 400, /not valid JSON/);
  await refused('/api/v1/sensors/ghost', { unit: 'V' }, 404, /no sensor 'ghost'/);
  await refused('/api/v1/assets/ghost', { name: 'x' }, 404, /no asset 'ghost'/);
  assert.deepEqual(
    ((await (await f.request('viewer', '/api/v1/sensors/s1')).json()) as { unit: string; asset: string })
      .unit,
    'm3/h',
    'a refused patch changes nothing',
  );
  // Patches at once each see the others' changes: none is lost.
  const tags = await Promise.all(
    ['t1', 't2', 't3', 't4', 't5'].map((key) => send('/api/v1/sensors/s1', { tags: { [key]: 'x' } })),
  );
  assert.ok(tags.every((response) => response.status === 200));
  const stored = (await (await f.request('viewer', '/api/v1/sensors/s1')).json()) as {
    tags: Record<string, string>;
  };
  assert.deepEqual(Object.keys(stored.tags).sort(), ['owner', 't1', 't2', 't3', 't4', 't5', 'zone']);
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
  const summed = await f.request(
    'viewer',
    `/api/v1/sensors/p1.rpm/readings?from=${t0}&to=${t0 + 120_000}&step=1m&agg=sum`,
  );
  assert.deepEqual(((await summed.json()) as { points: unknown }).points, [
    { ts: t0, value: (59 * 60) / 2 },
    { ts: t0 + 60_000, value: ((60 + 119) * 60) / 2 },
  ]);
  const bad = await f.request(
    'viewer',
    `/api/v1/sensors/p1.rpm/readings?from=${t0}&to=${t0 + 1000}&agg=median`,
  );
  assert.equal(bad.status, 400);
  const misspelt = await f.request('viewer', `/api/v1/sensors/p1.rpm/readings?form=${t0}&agg=max`);
  assert.equal(misspelt.status, 400, 'a misspelt parameter is not answered for the default range');
  assert.match(((await misspelt.json()) as { error: string }).error, /unknown parameter 'form'/);
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

/** Reads a live stream until its `ready` event. */
async function readyStream(response: Response): Promise<ReadableStreamDefaultReader<Uint8Array>> {
  assert.equal(response.status, 200);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes('event: ready')) text += decoder.decode((await reader.read()).value);
  return reader;
}

void test('a key may hold maxPerKey live streams at once: one more gets 429 with Retry-After until one closes', async () => {
  const f = await httpFixture({ streams: { maxTotal: 10, maxPerKey: 2 } });
  const first = await readyStream(await f.request('viewer', '/api/v1/stream'));
  const second = await readyStream(await f.request('viewer', '/api/v1/stream'));
  const refused = await f.request('viewer', '/api/v1/stream');
  assert.equal(refused.status, 429);
  assert.equal(refused.headers.get('retry-after'), '10');
  const body = (await refused.json()) as { error: string };
  assert.match(body.error, /API key already has 2 live streams open.*--max-streams-per-key/);
  const other = await readyStream(await f.request('operator', '/api/v1/stream'));
  await first.cancel();
  // The slot is released once the stream's loop has seen the cancel.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const again = await readyStream(await f.request('viewer', '/api/v1/stream'));
  for (const reader of [second, other, again]) await reader.cancel();
});

void test('a stream takes its slot before its filter is resolved, and a refused filter gives it back; bug: a key ran any number of registry reads at once', async () => {
  const f = await httpFixture({ streams: { maxTotal: 10, maxPerKey: 1 } });
  // The registry read of the first stream's sensor list waits until released.
  let entered = 0;
  let release = (): void => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let secondEntered = (): void => undefined;
  const second = new Promise<'resolving'>((resolve) => (secondEntered = () => resolve('resolving')));
  const getSensors = f.registry.getSensors.bind(f.registry);
  f.registry.getSensors = async (ids) => {
    entered += 1;
    if (entered === 2) secondEntered();
    await gate;
    return getSensors(ids);
  };
  const first = f.request('viewer', '/api/v1/stream?sensor=a');
  while (entered === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  const answered = await Promise.race([f.request('viewer', '/api/v1/stream?sensor=b'), second]);
  assert.notEqual(answered, 'resolving', 'a second resolution ran while the first held the key');
  assert.equal((answered as Response).status, 429);
  // A malformed filter is refused as such, not told to wait for a slot.
  assert.equal((await f.request('viewer', '/api/v1/stream?bbox=1,2')).status, 400);
  release();
  await (await readyStream(await first)).cancel();
  await new Promise((resolve) => setTimeout(resolve, 20));
  // A filter refused gives its slot back.
  assert.equal((await f.request('viewer', '/api/v1/stream?asset=nowhere')).status, 404);
  await (await readyStream(await f.request('viewer', '/api/v1/stream'))).cancel();
});

void test('HEAD of the live stream answers as GET would, and leaves no stream open; bug: each HEAD held a slot', async () => {
  const f = await httpFixture({ streams: { maxTotal: 10, maxPerKey: 2 } });
  for (let call = 0; call < 3; call += 1) {
    const head = await f.request('viewer', '/api/v1/stream', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.match(head.headers.get('content-type') ?? '', /^text\/event-stream/);
  }
  assert.equal(f.bus.subscriberCount('readings'), 0);
  assert.equal((await f.request('viewer', '/api/v1/stream?asset=nowhere', { method: 'HEAD' })).status, 404);
  const streams = [
    await readyStream(await f.request('viewer', '/api/v1/stream')),
    await readyStream(await f.request('viewer', '/api/v1/stream')),
  ];
  for (const reader of streams) await reader.cancel();
});

void test('all keys together may hold maxTotal live streams: one more gets 429', async () => {
  const f = await httpFixture({ streams: { maxTotal: 2, maxPerKey: 2 } });
  const open = [
    await readyStream(await f.request('viewer', '/api/v1/stream')),
    await readyStream(await f.request('operator', '/api/v1/stream')),
  ];
  const refused = await f.request('admin', '/api/v1/stream');
  assert.equal(refused.status, 429);
  assert.ok(refused.headers.get('retry-after') !== null);
  assert.match(((await refused.json()) as { error: string }).error, /serves 2 live streams.*--max-streams/);
  for (const reader of open) await reader.cancel();
});

void test('a stream whose client stops reading is closed after the stall time and frees its slot', async () => {
  const f = await httpFixture({ streams: { maxTotal: 10, maxPerKey: 1 }, streamStallMillis: 200 });
  // Regression: a client that never read kept its stream, its queue and its CPU share for ever.
  const stalled = await readyStream(await f.request('viewer', '/api/v1/stream'));
  assert.equal(f.bus.subscriberCount('readings'), 1);
  for (let batch = 0; batch < 5; batch += 1) {
    await f.post(
      'device',
      '/api/v1/readings',
      Array.from({ length: 100 }, (_, i) => ({ sensor: `s${i}`, ts: t0 + batch * 100 + i, value: i })),
    );
  }
  assert.equal(
    (await f.request('viewer', '/api/v1/stream')).status,
    429,
    'the stalled stream holds the slot',
  );
  const deadline = Date.now() + 5_000;
  while (f.bus.subscriberCount('readings') > 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(f.bus.subscriberCount('readings'), 0, 'the stalled stream is closed');
  const next = await readyStream(await f.request('viewer', '/api/v1/stream'));
  await next.cancel();
  await stalled.cancel();
});

void test('over a socket, a stream client that stops reading is disconnected once its buffers are full', async () => {
  const f = await httpFixture({ streamStallMillis: 300 });
  const limits = { maxConnections: 10, headersTimeoutMillis: 1_000, requestTimeoutMillis: 2_000 };
  const server = await listen(f.app.fetch, { host: '127.0.0.1', port: 0, ...limits });
  const connections = () => new Promise<number>((resolve) => server.getConnections((_e, n) => resolve(n)));
  const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
  socket.on('error', () => undefined);
  try {
    socket.write(
      `GET /api/v1/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${f.secrets.viewer}\r\n\r\n`,
    );
    socket.pause();
    while (f.bus.subscriberCount('readings') === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    // Readings until the kernel's and Node's buffers are full and the stalled write times out.
    const deadline = Date.now() + 20_000;
    for (let batch = 0; (await connections()) > 0 && Date.now() < deadline; batch += 1) {
      const readings = Array.from({ length: 5_000 }, (_, i) => ({
        sensor: `sensor-${i}`,
        ts: t0 + batch,
        value: i,
      }));
      assert.equal((await f.post('device', '/api/v1/readings', readings)).status, 200);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(await connections(), 0, 'the server closed the connection');
    assert.equal(f.bus.subscriberCount('readings'), 0);
  } finally {
    socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});

void test('every answer says nosniff and no framing; the dashboard gets a same-origin Content-Security-Policy', async () => {
  const f = await httpFixture();
  for (const response of [
    await f.request(null, '/healthz'),
    await f.request(null, '/api/v1/assets'),
    await f.request('viewer', '/api/v1/assets'),
    await f.request('viewer', '/api/v1/nothing-here'),
    await f.post('device', '/api/v1/readings', [{ sensor: 's', ts: t0, value: 1 }]),
  ]) {
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff', response.url);
    assert.equal(response.headers.get('x-frame-options'), 'DENY');
    assert.equal(
      response.headers.get('content-security-policy'),
      "default-src 'none'; frame-ancestors 'none'",
    );
  }
  const page = await f.request(null, '/');
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(page.headers.get('x-frame-options'), 'DENY');
  const policy = page.headers.get('content-security-policy') ?? '';
  assert.match(policy, /default-src 'self'/);
  assert.match(policy, /frame-ancestors 'none'/);
  assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval/);
});

void test('/livez answers 200 with no key while /healthz answers 503: log not writable, engine down', async () => {
  // Regression: /healthz was the only probe and it is a readiness probe: a liveness probe on it
  // restarted the process while the disk was full or an engine was down.
  let ready = false;
  const f = await httpFixture({ isReady: () => ready });
  assert.equal((await f.request(null, '/healthz')).status, 503);
  const live = await f.request(null, '/livez');
  assert.equal(live.status, 200);
  assert.deepEqual(await live.json(), { status: 'ok' });
  assert.equal((await f.request(null, '/livez', { method: 'HEAD' })).status, 200);
  ready = true;
  const probed = withEngineReadiness(
    (request) => f.app.fetch(request),
    () => ['postgres'],
  );
  assert.equal((await probed(new Request('http://127.0.0.1/healthz'))).status, 503);
  assert.equal((await probed(new Request('http://127.0.0.1/livez'))).status, 200);
});

void test('/metrics counts accepted readings and rejections by reason', async () => {
  const f = await httpFixture();
  await f.post('device', '/api/v1/readings', [
    { sensor: 's', ts: t0, value: 1 },
    { sensor: 's', ts: t0 + 1, value: 'x' },
  ]);
  const text = await (await f.request('viewer', '/metrics')).text();
  assert.match(text, /urban_brain_readings_accepted_total\{path="json"\} 1/);
  assert.match(text, /urban_brain_readings_rejected_total\{reason="not-a-number",path="json"\} 1/);
  assert.match(text, /urban_brain_store_write_seconds_count 1/);
});

void test('/metrics counts readings by the path they came by, as each path answered', async () => {
  const f = await httpFixture();
  const json = await f.post('device', '/api/v1/readings', [
    { sensor: 's', ts: t0, value: 1 },
    { sensor: 's', ts: t0 + 1, value: 2 },
    { sensor: 's', ts: t0 + 2, value: 'x' },
  ]);
  const senml = await f.post(
    'device',
    '/api/v1/readings',
    [
      { bn: 'valve-3.', bt: t0 / 1000, n: 'position', v: 0.4 },
      { n: 'flow', v: 'x' },
      { n: 'flow', t: 1, v: 2 },
    ],
    'application/senml+json',
  );
  const lines = await f.post(
    'device',
    '/api/v1/write?precision=ms',
    `wx,sensor=w7 s="str" ${t0}\nwx,sensor=w8 value=1 ${t0}\n`,
    'text/plain',
  );
  const answers = { json, senml, line_protocol: lines };
  const text = await (await f.request('viewer', '/metrics')).text();
  for (const [path, response] of Object.entries(answers)) {
    assert.equal(response.status, 200, path);
    const body = (await response.json()) as { accepted: number; rejected: { rule: string }[] };
    assert.ok(body.accepted > 0 && body.rejected.length > 0, `${path} answered both`);
    const accepted = new RegExp(`^urban_brain_readings_accepted_total\\{path="${path}"\\} (\\d+)$`, 'm');
    assert.equal(Number(accepted.exec(text)?.[1]), body.accepted, path);
    const rules = new Map<string, number>();
    for (const { rule } of body.rejected) rules.set(rule, (rules.get(rule) ?? 0) + 1);
    for (const [rule, count] of rules) {
      const rejected = new RegExp(
        `^urban_brain_readings_rejected_total\\{reason="${rule}",path="${path}"\\} (\\d+)$`,
        'm',
      );
      assert.equal(Number(rejected.exec(text)?.[1]), count, `${path} ${rule}`);
    }
  }
  // A path nothing came by is at 0, not missing.
  assert.match(text, /^urban_brain_readings_accepted_total\{path="mqtt"\} 0$/m);
});

void test('/metrics counts a wholly unreadable ingest body as one malformed rejection, as for MQTT', async () => {
  // Regression: a 400 for a body that was not JSON or had no readable line was not counted at all.
  const f = await httpFixture();
  assert.equal((await f.post('device', '/api/v1/readings', 'not json', 'text/plain')).status, 400);
  assert.equal((await f.post('device', '/api/v1/write', '!!!', 'text/plain')).status, 400);
  const text = await (await f.request('viewer', '/metrics')).text();
  assert.match(text, /urban_brain_readings_rejected_total\{reason="malformed",path="json"\} 1/);
  assert.match(text, /urban_brain_readings_rejected_total\{reason="malformed",path="line_protocol"\} 1/);
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

void test('a series counts only readings inside [from, to), whatever resolution its step reads', async () => {
  const f = await httpFixture();
  const hour = Date.UTC(2025, 10, 28, 10);
  await f.post('device', '/api/v1/readings', [
    { sensor: 't.f', ts: hour, value: 1 },
    { sensor: 't.f', ts: hour + 20 * 60_000, value: 2 },
    { sensor: 't.f', ts: hour + 40 * 60_000, value: 3 },
  ]);
  const range = 'from=2025-11-28T10:10:00Z&to=2025-11-28T10:30:00Z&agg=count';
  for (const step of ['1h', '1m', '3599999']) {
    const response = await f.request('viewer', `/api/v1/sensors/t.f/readings?${range}&step=${step}`);
    const points = ((await response.json()) as { points: { value: number }[] }).points;
    assert.equal(
      points.reduce((sum, point) => sum + point.value, 0),
      1,
      `step=${step}`,
    );
  }
});

void test('series parameters out of range are 400 naming the parameter, not 500', async () => {
  const f = await httpFixture();
  await f.post('device', '/api/v1/readings', [{ sensor: 's', ts: t0, value: 1 }]);
  const cases: [string, RegExp][] = [
    ['from=-5&to=1000', /^from='-5' must be epoch milliseconds/],
    ['from=0&to=99999999999999999999', /^to='99999999999999999999' must be epoch milliseconds/],
    [`from=0&to=${t0}&step=100000000000000000000`, /^step='100000000000000000000' must be at most/],
    [`from=${t0}&to=${t0 + 1000}&step=0.4`, /^step='0.4' must be at least 1 ms$/],
    ['from=Nov 27 2026', /^from='Nov 27 2026' must be epoch milliseconds .* or an ISO-8601/],
  ];
  for (const [query, error] of cases) {
    const response = await f.request('viewer', `/api/v1/sensors/s/readings?${query}`);
    assert.equal(response.status, 400, query);
    assert.match(((await response.json()) as { error: string }).error, error, query);
  }
  const early = await f.request('viewer', '/api/v1/sensors/s/readings?to=1000');
  assert.equal(early.status, 200, 'a default from before 1970 is clamped to 0');
});

void test('a date-time without a zone in a series query is UTC, as at ingest', async () => {
  const f = await httpFixture();
  await f.post('device', '/api/v1/readings', [{ sensor: 's', ts: t0, value: 1 }]);
  const zone = process.env.TZ;
  process.env.TZ = 'Europe/Berlin'; // a server zone other than UTC
  let response: Response;
  try {
    response = await f.request(
      'viewer',
      '/api/v1/sensors/s/readings?from=2026-11-28T10:00:00&to=2026-11-28T11:00:00',
    );
  } finally {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  }
  const body = (await response.json()) as { from: number; to: number };
  assert.deepEqual([body.from, body.to], [Date.UTC(2026, 10, 28, 10), Date.UTC(2026, 10, 28, 11)]);
});

void test('a series of a sensor the registry does not know is 404; an auto-registered one is found', async () => {
  const f = await httpFixture();
  const missing = await f.request('viewer', '/api/v1/sensors/nope/readings');
  assert.equal(missing.status, 404);
  assert.deepEqual(await missing.json(), { error: "no sensor 'nope'" });
  await f.post('device', '/api/v1/readings', [{ sensor: 'auto', ts: t0, value: 1 }]);
  const found = await f.request('viewer', `/api/v1/sensors/auto/readings?from=${t0}&to=${t0 + 1}`);
  assert.equal(found.status, 200);
  assert.deepEqual(((await found.json()) as { points: unknown }).points, [{ ts: t0, value: 1 }]);
  assert.equal((await f.request('viewer', '/api/v1/assets/nope/state')).status, 404);
});

void test('GeoJSON import refuses features that are not points, naming the feature index and the rule', async () => {
  const f = await httpFixture();
  const geojson = {
    type: 'FeatureCollection',
    features: [
      {
        type: 'Feature',
        id: 'l1',
        geometry: {
          type: 'LineString',
          coordinates: [
            [4, 52],
            [5, 53],
          ],
        },
        properties: {},
      },
      { type: 'Feature', id: 'g1', geometry: { type: 'Polygon', coordinates: [] }, properties: {} },
      { type: 'Feature', id: 'p1', geometry: { type: 'Point', coordinates: [13] }, properties: {} },
      { type: 'Feature', id: 'n1', geometry: null, properties: { type: 'pump' } },
    ],
  };
  const response = await f.post('admin', '/api/v1/assets/import', geojson, 'application/geo+json');
  assert.equal(response.status, 200);
  const body = (await response.json()) as {
    imported: number;
    rejected: { row: number; field: string; rule: string }[];
  };
  assert.equal(body.imported, 1, 'a feature without geometry is an asset without a position');
  assert.deepEqual(
    body.rejected.map((r) => [r.row, r.field, r.rule]),
    [
      [0, 'geometry', 'point'],
      [1, 'geometry', 'point'],
      [2, 'geometry.coordinates', 'point'],
    ],
  );
  for (const id of ['l1', 'g1', 'p1'])
    assert.equal((await f.request('viewer', `/api/v1/assets/${id}`)).status, 404, id);
});

void test('coordinates must be numbers or decimal strings, lat and lon together', async () => {
  const f = await httpFixture();
  const blank = await f.post('admin', '/api/v1/assets', { id: 'p3', lat: ' ', lon: '0x10' });
  assert.equal(blank.status, 400);
  const errors = ((await blank.json()) as { errors: { field: string; rule: string }[] }).errors;
  assert.deepEqual(
    errors.map((e) => [e.field, e.rule]),
    [
      ['lat', 'coordinate'],
      ['lon', 'coordinate'],
    ],
  );
  const half = await f.post('admin', '/api/v1/assets', { id: 'p4', lat: 10 });
  assert.equal(half.status, 400);
  const halfErrors = ((await half.json()) as { errors: { field: string; rule: string }[] }).errors;
  assert.deepEqual(
    halfErrors.map((e) => [e.field, e.rule]),
    [['lon', 'position']],
  );
  const decimal = await f.post('admin', '/api/v1/assets', { id: 'p5', lat: '52.37', lon: '-4.9' });
  assert.equal(decimal.status, 201);
  assert.deepEqual(((await decimal.json()) as { lat: number; lon: number }).lon, -4.9);
});

void test('PUT with a body that is not a JSON object is 400 and creates nothing', async () => {
  const f = await httpFixture();
  for (const [path, body] of [
    ['/api/v1/assets/new3', '[1]'],
    ['/api/v1/sensors/s3', '"x"'],
    ['/api/v1/sensors/s4', 'null'],
  ] as const) {
    const response = await f.request('admin', path, { method: 'PUT', body });
    assert.equal(response.status, 400, path);
    assert.deepEqual(await response.json(), { error: 'body must be a JSON object' });
    assert.equal((await f.request('viewer', path)).status, 404, path);
  }
});

void test('a CSV with a quoted cell never closed is refused as a CSV syntax error naming its line', async () => {
  const f = await httpFixture();
  const response = await f.post(
    'admin',
    '/api/v1/assets/import',
    'id,type\nu1,pump\n"unterminated,pump\nu2,pump',
    'text/csv',
  );
  assert.equal(response.status, 400);
  const body = (await response.json()) as {
    imported: number;
    rejected: { row: number; rule: string; message: string }[];
  };
  assert.equal(body.imported, 0);
  assert.deepEqual(
    body.rejected.map((r) => [r.row, r.rule, r.message]),
    [[3, 'csv', 'not valid CSV: line 3: a quoted field is not closed']],
  );
});

void test('a sensor naming an asset the registry does not hold is refused, one by one and in bulk', async () => {
  const f = await httpFixture();
  await f.post('admin', '/api/v1/assets', { id: 'pump-a', type: 'pump' });
  const refused = await f.post('admin', '/api/v1/sensors', { id: 's1', asset: 'no-such-asset' });
  assert.equal(refused.status, 400);
  const errors = ((await refused.json()) as { errors: { field: string; value: unknown; rule: string }[] })
    .errors;
  assert.deepEqual(
    errors.map((e) => [e.field, e.value, e.rule]),
    [['asset', 'no-such-asset', 'unknown-asset']],
  );
  const put = await f.request('admin', '/api/v1/sensors/s1', {
    method: 'PUT',
    body: JSON.stringify({ asset: 'no-such-asset' }),
  });
  assert.equal(put.status, 400);
  const csv = 'id,kind,asset\ns2,flow,pump-a\ns3,flow,no-such-asset\ns4,flow,\n';
  const imported = await f.post('admin', '/api/v1/sensors/import', csv, 'text/csv');
  const body = (await imported.json()) as {
    imported: number;
    rejected: { row: number; value: unknown; rule: string }[];
  };
  assert.equal(body.imported, 2);
  assert.deepEqual(
    body.rejected.map((r) => [r.row, r.value, r.rule]),
    [[3, 'no-such-asset', 'unknown-asset']],
  );
  assert.equal((await f.request('viewer', '/api/v1/sensors/s3')).status, 404);
});

void test('a failed request is logged through the platform log, not straight to standard error', async () => {
  // Regression: the app wrote failures to standard error itself, so a scaled-out role's line
  // named no process and skipped the log's hiding of URL credentials.
  const lines: string[] = [];
  const failing = new Hono<AppEnv>();
  failing.get('/broken', requireRole('read'), () => {
    throw new Error('engine at postgres://ub:secret@db:5432 went away');
  });
  const f = await httpFixture({
    routes: [{ path: '/api/v1', app: failing }],
    log: (line) => lines.push(line),
  });
  assert.equal((await f.request('viewer', '/api/v1/broken')).status, 500);
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.match(lines[0] ?? '', /GET \/api\/v1\/broken: .*went away/);
});
