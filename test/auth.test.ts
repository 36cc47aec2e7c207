import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { nodeSecrets } from '../src/adapters/crypto/secrets.ts';
import type { AppEnv } from '../src/adapters/http/env.ts';
import { authenticate } from '../src/adapters/http/middleware/auth.ts';
import { MemoryKeyStore } from '../src/adapters/memory/keys.ts';
import type { Role } from '../src/core/auth/role.ts';
import { KeyService } from '../src/services/auth/keys.ts';
import { httpFixture } from './support/http-fixture.ts';

const t0 = Date.UTC(2025, 11, 31);

interface Case {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: string;
  contentType?: string;
  allowed: Role[];
}

/** Every endpoint and the roles that may call it; the others must get 403. */
const cases: Case[] = [
  {
    name: 'ingest JSON',
    method: 'POST',
    path: '/api/v1/readings',
    body: JSON.stringify([{ sensor: 's', ts: t0, value: 1 }]),
    allowed: ['device', 'admin'],
  },
  {
    name: 'ingest line protocol',
    method: 'POST',
    path: '/api/v1/write?precision=ms',
    body: `s value=1 ${t0}`,
    contentType: 'text/plain',
    allowed: ['device', 'admin'],
  },
  { name: 'list assets', method: 'GET', path: '/api/v1/assets', allowed: ['viewer', 'operator', 'admin'] },
  {
    name: 'create asset',
    method: 'POST',
    path: '/api/v1/assets',
    body: JSON.stringify({ id: 'a', type: 'pump' }),
    allowed: ['admin'],
  },
  {
    name: 'replace asset',
    method: 'PUT',
    path: '/api/v1/assets/a',
    body: JSON.stringify({ type: 'pump' }),
    allowed: ['admin'],
  },
  {
    name: 'patch asset',
    method: 'PATCH',
    path: '/api/v1/assets/a',
    body: JSON.stringify({ name: 'Pump A' }),
    allowed: ['admin'],
  },
  {
    name: 'import assets',
    method: 'POST',
    path: '/api/v1/assets/import',
    body: 'id,type\nb,bridge\n',
    contentType: 'text/csv',
    allowed: ['admin'],
  },
  {
    name: 'asset state',
    method: 'GET',
    path: '/api/v1/assets/a/state',
    allowed: ['viewer', 'operator', 'admin'],
  },
  { name: 'list sensors', method: 'GET', path: '/api/v1/sensors', allowed: ['viewer', 'operator', 'admin'] },
  {
    name: 'create sensor',
    method: 'POST',
    path: '/api/v1/sensors',
    body: JSON.stringify({ id: 'x', kind: 'flow' }),
    allowed: ['admin'],
  },
  {
    name: 'patch sensor',
    method: 'PATCH',
    path: '/api/v1/sensors/x',
    body: JSON.stringify({ tags: { zone: 'b' } }),
    allowed: ['admin'],
  },
  { name: 'delete sensor', method: 'DELETE', path: '/api/v1/sensors/x', allowed: ['admin'] },
  {
    name: 'series',
    method: 'GET',
    path: `/api/v1/sensors/s/readings?from=${t0 - 1000}&to=${t0 + 1000}`,
    allowed: ['viewer', 'operator', 'admin'],
  },
  {
    name: 'latest',
    method: 'GET',
    path: '/api/v1/latest?sensors=s',
    allowed: ['viewer', 'operator', 'admin'],
  },
  {
    name: 'latest (POST)',
    method: 'POST',
    path: '/api/v1/latest',
    body: JSON.stringify({ sensors: ['s'] }),
    allowed: ['viewer', 'operator', 'admin'],
  },
  { name: 'metrics', method: 'GET', path: '/metrics', allowed: ['viewer', 'operator', 'admin'] },
  { name: 'list keys', method: 'GET', path: '/api/v1/keys', allowed: ['admin'] },
  {
    name: 'create key',
    method: 'POST',
    path: '/api/v1/keys',
    body: JSON.stringify({ name: 'k', role: 'viewer' }),
    allowed: ['admin'],
  },
];

const roles: Role[] = ['viewer', 'operator', 'admin', 'device'];

for (const c of cases) {
  void test(`${c.name}: allowed for ${c.allowed.join(', ')}, 403 for the other roles, 401 without a key`, async () => {
    const f = await httpFixture();
    const init = () => ({
      method: c.method,
      ...(c.body === undefined ? {} : { body: c.body }),
      headers: { 'Content-Type': c.contentType ?? 'application/json' },
    });
    for (const role of roles) {
      const response = await f.request(role, c.path, init());
      if (c.allowed.includes(role)) {
        assert.ok(response.status !== 401 && response.status !== 403, `${role}: got ${response.status}`);
        assert.ok(response.status < 500, `${role}: got ${response.status}`);
      } else {
        assert.equal(response.status, 403, `${role} must be refused`);
      }
    }
    assert.equal((await f.request(null, c.path, init())).status, 401);
  });
}

void test('the live stream is readable by viewers and refused to devices', async () => {
  const f = await httpFixture();
  assert.equal((await f.request('device', '/api/v1/stream')).status, 403);
  const response = await f.request('viewer', '/api/v1/stream');
  assert.equal(response.status, 200);
  f.closing.abort();
  await response.body?.cancel();
});

void test('/healthz needs no key', async () => {
  const f = await httpFixture();
  assert.equal((await f.request(null, '/healthz')).status, 200);
});

void test('an unknown key, a malformed header and a revoked key all get 401', async () => {
  const f = await httpFixture();
  const headers = (value: string) => ({ headers: { Authorization: value } });
  const unknown = await f.app.request('/api/v1/assets', headers('Bearer ub_nope'));
  assert.equal(unknown.status, 401);
  assert.deepEqual(await unknown.json(), { error: 'unknown or revoked API key' });
  // Regression: a header of another scheme was told its key was unknown.
  for (const value of [f.secrets.viewer, `Digest ${f.secrets.viewer}`]) {
    const malformed = await f.app.request('/api/v1/assets', headers(value));
    assert.equal(malformed.status, 401);
    assert.deepEqual(await malformed.json(), {
      error: 'Authorization must be Bearer <key>, Token <key> or Basic with the key as the password',
    });
  }
  const list = (await (await f.request('admin', '/api/v1/keys')).json()) as {
    keys: { id: string; role: string }[];
  };
  const viewer = list.keys.find((k) => k.role === 'viewer')!;
  assert.equal((await f.request('admin', `/api/v1/keys/${viewer.id}`, { method: 'DELETE' })).status, 204);
  assert.equal((await f.request('viewer', '/api/v1/assets')).status, 401);
  assert.equal((await f.request('admin', `/api/v1/keys/${viewer.id}`, { method: 'DELETE' })).status, 404);
});

void test('a key created by an admin works once, with its role, and is listed without its secret or hash', async () => {
  const f = await httpFixture();
  const created = await f.post('admin', '/api/v1/keys', { name: 'sensor gateway', role: 'device' });
  assert.equal(created.status, 201);
  const { key, id, role } = (await created.json()) as { key: string; id: string; role: string };
  assert.equal(role, 'device');
  const ingest = await f.app.request('/api/v1/readings', {
    method: 'POST',
    body: JSON.stringify([{ sensor: 'g', ts: t0, value: 1 }]),
    headers: { Authorization: `Bearer ${key}` },
  });
  assert.equal(ingest.status, 200);
  const read = await f.app.request('/api/v1/assets', { headers: { Authorization: `Bearer ${key}` } });
  assert.equal(read.status, 403);
  const listed = JSON.stringify(await (await f.request('admin', '/api/v1/keys')).json());
  assert.ok(listed.includes(id));
  assert.ok(!listed.includes(key), 'the secret is never listed');
  assert.ok(!listed.includes('hash'), 'hashes are never listed');
  const invalid = await f.post('admin', '/api/v1/keys', { role: 'superuser' });
  assert.equal(invalid.status, 400);
});

void test('InfluxDB clients may send the key as `Authorization: Token <key>`', async () => {
  const f = await httpFixture();
  const response = await f.app.request(`/api/v2/write?precision=ms`, {
    method: 'POST',
    body: `t value=1 ${t0}`,
    headers: { Authorization: `Token ${f.secrets.device}` },
  });
  assert.equal(response.status, 204);
});

void test("InfluxDB v1 clients (Telegraf's outputs.influxdb) may send the key as the Basic auth password", async () => {
  // Regression: Telegraf v1 sends username/password as HTTP Basic auth, which got 401.
  const f = await httpFixture();
  const basic = (user: string, password: string) =>
    `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const write = (authorization: string) =>
    f.app.request(`/write?db=telegraf`, {
      method: 'POST',
      body: `t value=1 ${t0 * 1_000_000}`,
      headers: { Authorization: authorization },
    });
  assert.equal((await write(basic('telegraf', f.secrets.device))).status, 204);
  assert.equal((await write(basic('', f.secrets.device))).status, 204);
  assert.equal((await write(basic(f.secrets.device, 'wrong'))).status, 401, 'the user name is not the key');
  assert.equal((await write(`Basic ${Buffer.from(f.secrets.device).toString('base64')}`)).status, 401);
  const viewer = await f.app.request('/api/v1/assets', {
    headers: { Authorization: basic('x', f.secrets.viewer) },
  });
  assert.equal(viewer.status, 200, 'Basic auth works on every endpoint, with the key role');
  const device = await f.app.request('/api/v1/assets', {
    headers: { Authorization: basic('x', f.secrets.device) },
  });
  assert.equal(device.status, 403);
});

void test('a device key limited to sensors writes only those: the others are refused per item, counted, the rest stored', async () => {
  // Regression: any device key could write any sensor, such as the hospital occupancy sensors that
  // steer ambulance destinations.
  const f = await httpFixture();
  const created = await f.post('admin', '/api/v1/keys', {
    name: 'gateway 12',
    role: 'device',
    sensors: ['gw-12.*', 'pump-7.flow'],
  });
  assert.equal(created.status, 201);
  const { key, id, sensors } = (await created.json()) as { key: string; id: string; sensors: string[] };
  assert.deepEqual(sensors, ['gw-12.*', 'pump-7.flow']);
  const listed = (await (await f.request('admin', '/api/v1/keys')).json()) as {
    keys: { id: string; role: string; sensors: string[] | null }[];
  };
  assert.deepEqual(listed.keys.find((k) => k.id === id)?.sensors, ['gw-12.*', 'pump-7.flow']);
  assert.equal(listed.keys.find((k) => k.role === 'viewer')?.sensors, null);

  const auth = { Authorization: `Bearer ${key}` };
  const json = await f.app.request('/api/v1/readings', {
    method: 'POST',
    body: JSON.stringify([
      { sensor: 'gw-12.temperature', ts: t0, value: 1 },
      { sensor: 'hospital-1.occupancy', ts: t0, value: 99 },
      { sensor: 'pump-7.flow', ts: t0, value: 3 },
    ]),
    headers: auth,
  });
  assert.equal(json.status, 200);
  const body = (await json.json()) as { accepted: number; rejected: { index: number; rule: string }[] };
  assert.equal(body.accepted, 2);
  assert.deepEqual(
    body.rejected.map((r) => [r.index, r.rule]),
    [[1, 'forbidden-sensor']],
  );
  const lines = await f.app.request('/api/v1/write?precision=ms', {
    method: 'POST',
    body: `gw-12 h=5 ${t0}\nhospital-1 occupancy=98 ${t0}\n`,
    headers: auth,
  });
  assert.equal(lines.status, 200);
  assert.deepEqual(
    ((await lines.json()) as { rejected: { index: number; rule: string }[] }).rejected.map((r) => [
      r.index,
      r.rule,
    ]),
    [[1, 'forbidden-sensor']],
  );
  assert.equal(
    f.registry.hasSensor('hospital-1.occupancy'),
    false,
    'a refused sensor is not auto-registered',
  );
  assert.deepEqual(
    f.readings.readingsOf('gw-12.h').map((r) => r.value),
    [5],
  );
  const metrics = await (await f.request('viewer', '/metrics')).text();
  assert.match(metrics, /urban_brain_readings_rejected_total\{reason="forbidden-sensor",path="json"\} 1/);
  assert.match(
    metrics,
    /urban_brain_readings_rejected_total\{reason="forbidden-sensor",path="line_protocol"\} 1/,
  );
  // A key without sensors may still write every sensor.
  const open = await f.post('device', '/api/v1/readings', [
    { sensor: 'hospital-1.occupancy', ts: t0, value: 4 },
  ]);
  assert.equal(((await open.json()) as { accepted: number }).accepted, 1);
});

void test('sensors of a new key must be a non-empty array of ids or prefixes, and only for device keys', async () => {
  const f = await httpFixture();
  const refused = async (body: unknown, message: RegExp) => {
    const response = await f.post('admin', '/api/v1/keys', body);
    assert.equal(response.status, 400, JSON.stringify(body));
    assert.match(((await response.json()) as { error: string }).error, message);
  };
  await refused({ role: 'device', sensors: [] }, /^sensors must be an array of 1 to 1000/);
  await refused({ role: 'device', sensors: 'gw-12.*' }, /^sensors must be an array/);
  await refused({ role: 'device', sensors: ['ok', 'city/#'] }, /^sensors\[1\]="city\/#" must be a sensor id/);
  await refused({ role: 'admin', sensors: ['a'] }, /^sensors is for device keys only, not role="admin"/);
  const unscoped = await f.post('admin', '/api/v1/keys', { role: 'device', sensors: null });
  assert.equal(((await unscoped.json()) as { sensors: unknown }).sensors, null);
});

/** Reads a response body until it ends; `ended` is false when it is still open after `millis`. */
/** Whether the body ends within `millis`; `cleanly`: an end by error (an abort) fails the test. */
async function endsWithin(response: Response, millis: number, cleanly = false): Promise<boolean> {
  const reader = response.body!.getReader();
  const deadline = Date.now() + millis;
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'open'>((resolve) => {
      timer = setTimeout(() => resolve('open'), deadline - Date.now());
    });
    const read = cleanly ? reader.read() : reader.read().catch(() => ({ done: true as const }));
    const next = await Promise.race([read, timeout]);
    clearTimeout(timer);
    if (next === 'open') {
      reader.releaseLock();
      return false;
    }
    if (next.done) return true;
  }
}

void test('revoking a key ends its open live streams at once, and only its own', async () => {
  // Regression: a revoked viewer kept receiving every reading on a stream opened before.
  const f = await httpFixture();
  const viewer = (await f.post('admin', '/api/v1/keys', { name: 'wall screen', role: 'viewer' })) as Response;
  const { key, id } = (await viewer.json()) as { key: string; id: string };
  const revokedStream = await f.app.request('/api/v1/stream', {
    headers: { Authorization: `Bearer ${key}` },
  });
  const otherStream = await f.request('viewer', '/api/v1/stream');
  assert.equal(revokedStream.status, 200);
  assert.equal((await f.request('admin', `/api/v1/keys/${id}`, { method: 'DELETE' })).status, 204);
  // Ended as a stream ends, not aborted (the server logged an AbortError stack at each revocation).
  assert.equal(await endsWithin(revokedStream, 2_000, true), true, 'the revoked key stream ends');
  assert.equal(await endsWithin(otherStream, 200), false, 'another key stream stays open');
  f.closing.abort();
  await otherStream.body?.cancel();
});

void test('a stream whose key another process revokes ends at the next check', async () => {
  const store = new MemoryKeyStore();
  const keys = new KeyService(store, nodeSecrets);
  const { secret, info } = await keys.create('screen', 'viewer');
  const app = new Hono<AppEnv>();
  app.use('*', authenticate(keys, { recheckMillis: 20 }));
  app.get('/stream', (c) =>
    streamSSE(c, async (stream) => {
      while (!stream.aborted) {
        await stream.writeSSE({ data: 'tick' });
        await stream.sleep(10);
      }
    }),
  );
  const response = await app.request('/stream', { headers: { Authorization: `Bearer ${secret}` } });
  assert.equal(await endsWithin(response, 100), false, 'open while the key is live');
  await store.revoke(info.id, 1); // as another process sharing the store would
  assert.equal(await endsWithin(response, 2_000), true);
});

void test('the last live admin key cannot be revoked over the API (409); another admin can', async () => {
  const f = await httpFixture();
  const listed = (await (await f.request('admin', '/api/v1/keys')).json()) as {
    keys: { id: string; role: string }[];
  };
  const admin = listed.keys.find((k) => k.role === 'admin')!;
  const refused = await f.request('admin', `/api/v1/keys/${admin.id}`, { method: 'DELETE' });
  assert.equal(refused.status, 409);
  assert.match(((await refused.json()) as { error: string }).error, /last live admin key/);
  assert.equal((await f.request('admin', '/api/v1/assets')).status, 200, 'the admin key still works');
  const second = (await (await f.post('admin', '/api/v1/keys', { role: 'admin' })).json()) as { key: string };
  const revoked = await f.request('admin', `/api/v1/keys/${admin.id}`, { method: 'DELETE' });
  assert.equal(revoked.status, 204);
  const other = await f.app.request('/api/v1/keys', { headers: { Authorization: `Bearer ${second.key}` } });
  assert.equal(other.status, 200);
});

void test('a key may expire: it works until then, is listed with its expiry, and gets 401 after', async () => {
  const t = Date.UTC(2026, 0, 1);
  let now = t;
  const f = await httpFixture({ nowMillis: t, keyClock: () => now });
  const created = await f.post('admin', '/api/v1/keys', {
    name: 'contractor',
    role: 'viewer',
    expiresAt: '2026-01-01T01:00:00Z',
  });
  assert.equal(created.status, 201);
  const { key, id, expiresMillis } = (await created.json()) as {
    key: string;
    id: string;
    expiresMillis: number;
  };
  assert.equal(expiresMillis, t + 3_600_000);
  const read = () => f.app.request('/api/v1/assets', { headers: { Authorization: `Bearer ${key}` } });
  assert.equal((await read()).status, 200);
  const listed = (await (await f.request('admin', '/api/v1/keys')).json()) as {
    keys: { id: string; expiresMillis: number | null }[];
  };
  assert.equal(listed.keys.find((k) => k.id === id)?.expiresMillis, t + 3_600_000);
  assert.ok(
    listed.keys.filter((k) => k.id !== id).every((k) => k.expiresMillis === null),
    'a key without expiry lists null',
  );
  now = t + 3_600_000 - 1;
  assert.equal((await read()).status, 200, 'until its expiry');
  now = t + 3_600_000;
  assert.equal((await read()).status, 401, 'from its expiry on');
  // Epoch milliseconds are taken too.
  const numeric = await f.post('admin', '/api/v1/keys', { role: 'device', expiresAt: now + 60_000 });
  assert.equal(((await numeric.json()) as { expiresMillis: number }).expiresMillis, now + 60_000);
});

void test('an expiry in the past, unreadable, or on an admin key is refused, naming it', async () => {
  const t = Date.UTC(2026, 0, 1);
  const f = await httpFixture({ nowMillis: t });
  const refused = async (body: unknown, message: RegExp) => {
    const response = await f.post('admin', '/api/v1/keys', body);
    assert.equal(response.status, 400, JSON.stringify(body));
    assert.match(((await response.json()) as { error: string }).error, message);
  };
  await refused(
    { role: 'device', expiresAt: '2025-12-31T23:59:59Z' },
    /^expiresAt="2025-12-31T23:59:59Z" must be epoch milliseconds or an ISO-8601 date-time, in the future: it is 2025-12-31T23:59:59.000Z, and now is 2026-01-01T00:00:00.000Z/,
  );
  await refused({ role: 'device', expiresAt: t }, /in the future/);
  await refused(
    { role: 'viewer', expiresAt: 'next week' },
    /^expiresAt="next week" must be epoch milliseconds/,
  );
  await refused({ role: 'viewer', expiresAt: true }, /^expiresAt=true must be/);
  await refused({ role: 'viewer', expiresAt: 1.5e20 }, /^expiresAt=150000000000000000000 must be/);
  await refused({ role: 'admin', expiresAt: t + 1_000 }, /^expiresAt is not for admin keys/);
  const listed = (await (await f.request('admin', '/api/v1/keys')).json()) as { keys: unknown[] };
  assert.equal(listed.keys.length, 4, 'no key was made');
  assert.equal(
    (await f.post('admin', '/api/v1/keys', { role: 'viewer', expiresAt: null })).status,
    201,
    'null: never',
  );
});

void test('a new key with an unknown field, a blank or control-character name, or a non-object body is refused', async () => {
  // Regression: {"role": "device", "sensor": [...]} (a misspelt `sensors`) made a key that writes
  // every sensor, and names "" or with line breaks were stored and logged as given.
  const f = await httpFixture();
  const refused = async (body: unknown, message: RegExp) => {
    const response = await f.post('admin', '/api/v1/keys', body);
    assert.equal(response.status, 400, JSON.stringify(body));
    assert.match(((await response.json()) as { error: string }).error, message);
  };
  await refused(
    { role: 'device', sensor: ['gw-1.*'] },
    /^sensor is not a field of a key \(known: name, role, sensors, expiresAt\)/,
  );
  await refused({ role: 'viewer', name: '' }, /^name="" must be text of 1 to 256 characters, not blank/);
  await refused({ role: 'viewer', name: '   ' }, /^name=" {3}" must be/);
  await refused({ role: 'viewer', name: 'a\nb' }, /^name="a\\nb" must be/);
  await refused({ role: 'viewer', name: 'x'.repeat(257) }, /^name="x{70,}… must be text of 1 to 256/);
  await refused(['viewer'], /^body must be a JSON object/);
  await refused({ role: 'root' }, /^role="root" must be one of viewer, operator, admin, device/);
  // Regression: said role=undefined.
  await refused({ name: 'no role' }, /^role is required: one of viewer, operator, admin, device$/);
  const listed = (await (await f.request('admin', '/api/v1/keys')).json()) as { keys: unknown[] };
  assert.equal(listed.keys.length, 4, 'no key was made');
  const same = await f.post('admin', '/api/v1/keys', { role: 'viewer', name: 'viewer' });
  assert.equal(same.status, 201, 'names need not be unique (a replacement overlaps the key it replaces)');
});
