import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Hono } from 'hono';
import { LogLimiter } from '../../services/logging/log-limiter.ts';
import { failureResponse, isUnreachable } from './failure-response.ts';

function appThrowing(error: unknown, lines: string[], now: () => number): Hono {
  const app = new Hono();
  const log = new LogLimiter({ log: (line) => lines.push(line), windowMillis: 60_000, clock: now });
  app.get('/x', () => {
    throw error;
  });
  app.onError((caught, c) => failureResponse(c, caught, log));
  return app;
}

test('a store that cannot be reached is a 503 with Retry-After, logged once a minute with the repeats summed up', async () => {
  const lines: string[] = [];
  let now = 0;
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  const app = appThrowing(refused, lines, () => now);
  for (let request = 0; request < 5; request++) {
    const response = await app.request('/x');
    assert.equal(response.status, 503);
    assert.equal(response.headers.get('retry-after'), '5');
    assert.match(
      ((await response.json()) as { error: string }).error,
      /unreachable, retry later: connect ECONNREFUSED/,
    );
  }
  assert.equal(lines.length, 1, 'one line, not one per request');
  assert.doesNotMatch(lines[0]!, /\n\s+at /, 'no stack for an outage');
  now = 61_000;
  await app.request('/x');
  assert.equal(lines.length, 3, 'the repeats summed up, then the failure written again');
  assert.match(
    lines[1]!,
    /repeated 4 more times in 61 s from GET \/x: a store this server needs is unreachable/,
  );
});

test('a PostgreSQL connection failure is recognised by its SQLSTATE, also as a cause', () => {
  assert.equal(isUnreachable(Object.assign(new Error('terminating connection'), { code: '57P01' })), true);
  assert.equal(
    isUnreachable(new Error('wrapped', { cause: Object.assign(new Error('x'), { code: '08006' }) })),
    true,
  );
  assert.equal(isUnreachable(new Error('syntax error at or near "SELEC"')), false);
});

test('a request whose body was cut off is a 400 and is not logged', async () => {
  const lines: string[] = [];
  const response = await appThrowing(new Error('aborted'), lines, () => 0).request('/x');
  assert.equal(response.status, 400);
  assert.equal(lines.length, 0);
});

test('any other failure is a 500 with its stack logged, once a minute per message', async () => {
  const lines: string[] = [];
  const app = appThrowing(new TypeError('boom'), lines, () => 0);
  assert.equal((await app.request('/x')).status, 500);
  assert.equal((await app.request('/x')).status, 500);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /GET \/x: failed: TypeError: boom\n\s+at /);
});
