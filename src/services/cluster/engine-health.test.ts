import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineHealth, enginesOfRole } from './engine-health.ts';

test('an outage is two lines: unreachable with the first reason, back with its length and failures', () => {
  const lines: string[] = [];
  let now = 1_000;
  const health = new EngineHealth({ log: (line) => lines.push(line), clock: () => now });
  health.succeeded('clickhouse');
  health.failed('clickhouse', 'connect ECONNREFUSED 127.0.0.1:20123');
  for (let check = 0; check < 16; check += 1) {
    now += 2_000;
    health.failed('clickhouse', 'connect ECONNREFUSED 127.0.0.1:20123');
  }
  assert.deepEqual(health.down(['nats', 'clickhouse', 'postgres']), ['clickhouse']);
  now += 3_250;
  health.succeeded('clickhouse');
  health.succeeded('clickhouse');
  assert.deepEqual(lines, [
    'ClickHouse unreachable: connect ECONNREFUSED 127.0.0.1:20123',
    'ClickHouse reachable again after 35.3 s, 17 failures',
  ]);
  assert.deepEqual(health.down(['clickhouse']), []);
});

test('down() names only the engines asked about, so each role is ready on what it needs', () => {
  const health = new EngineHealth({ log: () => undefined });
  health.failed('clickhouse', 'refused');
  assert.deepEqual(health.down(enginesOfRole.ingest), [], 'ingest does not need ClickHouse');
  assert.deepEqual(health.down(enginesOfRole.api), ['clickhouse']);
  health.failed('postgres', 'refused');
  health.failed('nats', 'disconnected from 127.0.0.1:20222');
  assert.deepEqual(health.down(enginesOfRole.ingest), ['nats', 'postgres']);
  assert.deepEqual(health.down(enginesOfRole.process), ['nats', 'clickhouse', 'postgres']);
  // Every role that ingests or processes needs JetStream able to store; `all` does both.
  health.failed('jetstream', 'stream urban_brain_readings has no leader');
  for (const role of ['ingest', 'process', 'all'] as const)
    assert.ok(health.down(enginesOfRole[role]).includes('jetstream'), role);
  assert.ok(!health.down(enginesOfRole.api).includes('jetstream'), 'api');
});

test('the line that ends an outage carries its detail', () => {
  const lines: string[] = [];
  const health = new EngineHealth({ log: (line) => lines.push(line), clock: () => 0 });
  health.failed('nats', 'connection to 127.0.0.1:20222 lost');
  health.succeeded('nats', 'connected to 127.0.0.1:20223');
  assert.equal(lines[1], 'NATS reachable again (connected to 127.0.0.1:20223) after 0.0 s, 1 failure');
});
