import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Hono } from 'hono';
import { parseError } from '@clickhouse/client';
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

test('a ClickHouse without the configured database is a 503 naming it, logged without a stack', async () => {
  // Regression: a misspelt --clickhouse-database made every query of the api role a 500 with a stack.
  const lines: string[] = [];
  const unknown = parseError(
    'Code: 81. DB::Exception: Database urban_brian does not exist. (UNKNOWN_DATABASE) (version 24.8.4.13 (official build))',
  );
  const app = appThrowing(new Error('latest readings', { cause: unknown }), lines, () => 0);
  const response = await app.request('/x');
  assert.equal(response.status, 503);
  assert.equal(response.headers.get('retry-after'), '5');
  assert.equal(
    ((await response.json()) as { error: string }).error,
    "ClickHouse cannot serve this server's queries: Database urban_brian does not exist. (code 81, UNKNOWN_DATABASE); retry later",
  );
  assert.equal(lines.length, 1);
  assert.doesNotMatch(lines[0]!, /\n\s+at /);
});

test('a ClickHouse without a table or database this server queries is a 503, from any server version; a query ClickHouse refuses otherwise is a 500', async () => {
  const missing = parseError(
    'Code: 60. DB::Exception: Table urban_brain.readings does not exist. (UNKNOWN_TABLE) (version 24.8.4.13 (official build))',
  );
  assert.equal((await appThrowing(missing, [], () => 0).request('/x')).status, 503);
  const older = new Error(
    "Code: 81, e.displayText() = DB::Exception: Database ub_tset doesn't exist, e.what() = DB::Exception\n",
  );
  const answer = await appThrowing(older, [], () => 0).request('/x');
  assert.equal(answer.status, 503, 'an older server, whose answer the client leaves unparsed');
  assert.equal(
    ((await answer.json()) as { error: string }).error,
    "ClickHouse cannot serve this server's queries: Database ub_tset doesn't exist (code 81); retry later",
  );
  const syntax = parseError('Code: 62. DB::Exception: Syntax error: failed at position 1. (SYNTAX_ERROR)');
  assert.equal((await appThrowing(syntax, [], () => 0).request('/x')).status, 500);
});
