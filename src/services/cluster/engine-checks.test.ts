import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineChecks } from './engine-checks.ts';
import { EngineHealth } from './engine-health.ts';

test('checks report failures and recovery to the health state; a hung check fails on its timeout', async () => {
  const lines: string[] = [];
  const health = new EngineHealth({ log: (line) => lines.push(line) });
  let postgresUp = false;
  let calls = 0;
  const checks = new EngineChecks({
    health,
    checks: [
      {
        engine: 'postgres',
        check: async () => {
          if (!postgresUp) throw new Error('connect ECONNREFUSED 127.0.0.1:20432');
        },
      },
      { engine: 'clickhouse', check: () => ((calls += 1), new Promise(() => undefined)) },
    ],
    intervalMillis: 60_000,
    timeoutMillis: 20,
  });
  await checks.checkNow();
  assert.deepEqual(health.down(['postgres', 'clickhouse']), ['postgres', 'clickhouse']);
  postgresUp = true;
  await checks.checkNow();
  assert.deepEqual(health.down(['postgres', 'clickhouse']), ['clickhouse']);
  assert.equal(calls, 2);
  assert.equal(lines[0], 'PostgreSQL unreachable: connect ECONNREFUSED 127.0.0.1:20432');
  assert.equal(lines[1], 'ClickHouse unreachable: no answer within 20 ms');
  assert.match(lines[2]!, /^PostgreSQL reachable again after \d+\.\d s, 1 failure$/);
  await checks.stop();
});

test('a check still running is not started a second time', async () => {
  const health = new EngineHealth({ log: () => undefined });
  let calls = 0;
  let finish: () => void = () => undefined;
  const checks = new EngineChecks({
    health,
    checks: [
      { engine: 'postgres', check: () => ((calls += 1), new Promise<void>((resolve) => (finish = resolve))) },
    ],
    intervalMillis: 60_000,
    timeoutMillis: 10_000,
  });
  const first = checks.checkNow();
  const second = checks.checkNow();
  finish();
  await Promise.all([first, second]);
  assert.equal(calls, 1);
  await checks.stop();
});
