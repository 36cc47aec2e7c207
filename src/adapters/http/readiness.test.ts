import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withEngineReadiness } from './readiness.ts';

const app = (request: Request): Response =>
  new URL(request.url).pathname === '/healthz'
    ? Response.json({ status: 'ok' }, { headers: { 'x-content-type-options': 'nosniff' } })
    : new Response('other', { status: 202 });

test('/healthz answers 503 naming the engines down, with the app headers, and 200 once they are back', async () => {
  // Regression: /healthz said 200 on every role while PostgreSQL, ClickHouse or NATS were down.
  let down: string[] = ['postgres', 'clickhouse'];
  let asked = 0;
  const fetch = withEngineReadiness(app, () => ((asked += 1), down));
  const unavailable = await fetch(new Request('http://127.0.0.1/healthz'));
  assert.equal(unavailable.status, 503);
  assert.deepEqual(await unavailable.json(), { status: 'unavailable', down: ['postgres', 'clickhouse'] });
  assert.equal(unavailable.headers.get('x-content-type-options'), 'nosniff');
  const head = await fetch(new Request('http://127.0.0.1/healthz', { method: 'HEAD' }));
  assert.equal(head.status, 503);
  assert.equal(await head.text(), '');
  down = [];
  const ready = await fetch(new Request('http://127.0.0.1/healthz?probe=1'));
  assert.equal(ready.status, 200);
  assert.deepEqual(await ready.json(), { status: 'ok' });
  assert.equal(asked, 3);
});

test('other requests pass through untouched and do not read the engine state', async () => {
  let asked = 0;
  const fetch = withEngineReadiness(app, () => ((asked += 1), ['nats']));
  for (const url of ['http://127.0.0.1/api/v1/readings', 'http://127.0.0.1/api/v1/sensors/healthz']) {
    const response = await fetch(new Request(url, { method: 'POST', body: '[]' }));
    assert.equal(response.status, 202);
  }
  assert.equal((await fetch(new Request('http://127.0.0.1/api/v1/sensors/healthz'))).status, 202);
  assert.equal(asked, 0);
});

test("other requests reach the app with the server's connection objects; bug: they were dropped, so a cluster's live stream could not cut off a client that stopped reading", async () => {
  const bindings = { incoming: {}, outgoing: {} } as unknown as Parameters<
    ReturnType<typeof withEngineReadiness>
  >[1];
  let seen: unknown;
  const fetch = withEngineReadiness(
    (request, given) => ((seen = given), app(request)),
    () => [],
  );
  await fetch(new Request('http://127.0.0.1/api/v1/stream'), bindings);
  assert.equal(seen, bindings);
});
