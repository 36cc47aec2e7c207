import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Hono } from 'hono';
import type { Role } from '../../../core/auth/role.ts';
import { EdgeIngest } from '../../../services/edge/edge-ingest.ts';
import { LiveTraffic } from '../../../services/traffic/live-traffic.ts';
import { MemoryBus } from '../../memory/bus.ts';
import { MemoryReadings } from '../../memory/readings.ts';
import { MemoryRegistry } from '../../memory/registry.ts';
import type { AppEnv } from '../env.ts';
import { type EmergencyVehicleSender, trafficEmergencyRoutes } from './traffic-emergency.ts';

let live: LiveTraffic;

before(async () => {
  const readings = new MemoryReadings();
  const registry = new MemoryRegistry();
  const bus = new MemoryBus();
  live = await LiveTraffic.start({
    edge: new EdgeIngest({ ingestor: readings, registry, bus, policy: 'reject' }),
    bus,
    registry,
    clock: { now: () => Date.UTC(2026, 0, 5, 8, 0, 0), every: () => () => undefined },
    speed: 60,
    district: { rows: 2, columns: 2 },
  });
});

after(() => live.stop());

function appAs(role: Role, traffic: EmergencyVehicleSender | null = live): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    c.set('key', { id: 'k1', name: 'tester', role, hash: '', createdMillis: 0, revokedMillis: null });
    await next();
  });
  app.route(
    '/api/v1',
    trafficEmergencyRoutes(() => traffic),
  );
  return app;
}

function send(app: Hono<AppEnv>, body: unknown): Promise<Response> {
  return Promise.resolve(
    app.request('/api/v1/traffic/emergency-vehicles', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

const from = 'traffic.intersection_1_1';
const to = 'traffic.intersection_2_2';

test('an operator or an admin sends an emergency vehicle (201 with its route); a viewer or a device may not (403)', async () => {
  for (const role of ['operator', 'admin'] as const) {
    const response = await send(appAs(role), { from, to });
    assert.equal(response.status, 201);
    const body = (await response.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['from', 'id', 'roads', 'route', 'startedSeconds', 'to']);
    assert.equal(body['from'], from);
    assert.deepEqual((body['route'] as string[]).at(-1), to);
  }
  for (const role of ['viewer', 'device'] as const)
    assert.equal((await send(appAs(role), { from, to })).status, 403);
  assert.equal(live.snapshot().emergencyVehicles.length, 2);
});

/** `levels` arrays inside each other around 1. */
function nested(levels: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < levels; level++) value = [value];
  return value;
}

test('refuses a request naming the field, the value and the rule (400), and answers 404 without a live district', async () => {
  const cases: [unknown, string][] = [
    ['not json', 'body is not valid JSON: Unexpected token'],
    [[from, to], `(body) ["${from}","${to}"] must be a JSON object`],
    [{ from, to, speed: 2 }, 'speed 2 is an unknown field'],
    [{ from }, 'to null must be an intersection id'],
    [{ from: 'traffic.nowhere', to }, 'from "traffic.nowhere" must be an intersection of the district'],
    [{ from, to: from }, `to "${from}" must differ from from`],
    // Regression: 20,000 levels made the answer overflow the stack (500).
    [{ from: nested(100), to }, 'body is nested deeper than 64 levels'],
  ];
  for (const [body, error] of cases) {
    const response = await send(appAs('operator'), body);
    assert.equal(response.status, 400, JSON.stringify(body));
    const answer = (await response.json()) as { error: string };
    assert.ok(answer.error.includes(error), `${answer.error} should say ${error}`);
  }
  assert.equal((await send(appAs('operator', null), { from, to })).status, 404);
});

test('a refused id of 100,000 characters is shown cut short, not sent back twice whole', async () => {
  // Regression: the answer was about 200 KB, the value in `error` and again in `issues`.
  const response = await send(appAs('operator'), { from: 'a'.repeat(100_000), to });
  assert.equal(response.status, 400);
  const text = await response.text();
  assert.ok(text.length < 1_000, `${text.length} characters`);
  const answer = JSON.parse(text) as { error: string; issues: { field: string; value: string }[] };
  assert.match(answer.error, /^invalid emergency vehicle: from "a{70,}… must be an intersection id/);
  assert.deepEqual(
    answer.issues.map((issue) => [issue.field, issue.value.length, issue.value.endsWith('…')]),
    [['from', 256, true]],
  );
});

test('answers 429 with Retry-After once 20 vehicles are on their way', async () => {
  const app = appAs('operator');
  let response = await send(app, { from: to, to: from });
  let sent = 0;
  while (response.status === 201 && sent < 30) {
    sent += 1;
    response = await send(app, { from: to, to: from });
  }
  assert.equal(response.status, 429);
  assert.equal(response.headers.get('retry-after'), '10');
  assert.equal(live.snapshot().emergencyVehicles.filter((v) => v.state === 'on-its-way').length, 20);
});
