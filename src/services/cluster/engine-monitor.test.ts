import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DebugEvents, Events } from 'nats';
import type { NatsConnection, Status } from 'nats';
import { EngineMonitor } from './engine-monitor.ts';

/** A NATS connection that only reports the status events pushed into it, until closed. */
function fakeConnection() {
  const waiting: ((status: IteratorResult<Status>) => void)[] = [];
  let close: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (close = resolve));
  const connection = {
    status: () => ({
      [Symbol.asyncIterator]: () => ({
        next: () => new Promise<IteratorResult<Status>>((resolve) => waiting.push(resolve)),
      }),
    }),
    closed: () => closed,
  } as unknown as NatsConnection;
  const push = async (status: Status) => {
    while (waiting.length === 0) await new Promise((resolve) => setImmediate(resolve));
    waiting.shift()!({ done: false, value: status });
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { connection, push, close };
}

test('an ingest process is ready on NATS and PostgreSQL only, and logs each outage twice', async () => {
  const lines: string[] = [];
  const nats = fakeConnection();
  let postgresUp = true;
  let clickhouseAsked = 0;
  const monitor = new EngineMonitor({
    role: 'ingest',
    nats: nats.connection,
    jetstream: { check: async () => undefined },
    clickhouse: { ping: async () => void (clickhouseAsked += 1) },
    postgres: {
      query: async () => {
        if (!postgresUp) throw new Error('connect ECONNREFUSED 127.0.0.1:20432');
      },
    },
    log: (line) => lines.push(line),
    intervalMillis: 5,
  });
  monitor.start();
  assert.deepEqual(monitor.down(), []);
  await nats.push({ type: Events.Disconnect, data: '127.0.0.1:20222' });
  assert.deepEqual(monitor.down(), ['nats']);
  // One attempt failed (the first), the second succeeded.
  await nats.push({ type: DebugEvents.Reconnecting, data: '127.0.0.1:20222' });
  await nats.push({ type: DebugEvents.Reconnecting, data: '127.0.0.1:20223' });
  await nats.push({ type: Events.Reconnect, data: '127.0.0.1:20223' });
  assert.deepEqual(monitor.down(), []);
  postgresUp = false;
  while (monitor.down().length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(monitor.down(), ['postgres']);
  await new Promise((resolve) => setTimeout(resolve, 30));
  postgresUp = true;
  while (monitor.down().length > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  await monitor.stop();
  nats.close();
  await monitor.closed();
  assert.equal(clickhouseAsked, 0, 'ingest does not depend on ClickHouse');
  assert.equal(lines.length, 4, lines.join('\n'));
  assert.equal(lines[0], 'NATS unreachable: connection to 127.0.0.1:20222 lost; reconnecting');
  assert.match(
    lines[1]!,
    /^NATS reachable again \(connected to 127\.0\.0\.1:20223\) after \d+\.\d s, 2 failures$/,
  );
  assert.equal(lines[2], 'PostgreSQL unreachable: connect ECONNREFUSED 127.0.0.1:20432');
  assert.match(lines[3]!, /^PostgreSQL reachable again after \d+\.\d s, \d+ failures$/);
});

test('an api process also checks ClickHouse, and logs nothing once stopped', async () => {
  const lines: string[] = [];
  const nats = fakeConnection();
  const monitor = new EngineMonitor({
    role: 'api',
    nats: nats.connection,
    jetstream: { check: () => Promise.reject(new Error('not asked of an api process')) },
    clickhouse: { ping: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:20123')) },
    postgres: { query: async () => undefined },
    log: (line) => lines.push(line),
    intervalMillis: 5,
  });
  monitor.start();
  while (monitor.down().length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(monitor.down(), ['clickhouse']);
  await monitor.stop();
  await nats.push({ type: Events.Disconnect, data: '127.0.0.1:20222' });
  nats.close();
  await monitor.closed();
  assert.deepEqual(lines, ['ClickHouse unreachable: connect ECONNREFUSED 127.0.0.1:20123']);
});

test('an ingest process whose NATS connection is up is down while JetStream cannot store', async () => {
  // Regression: with two of three NATS servers gone the connection stayed up, so /healthz said ok
  // while no publish could be stored.
  const lines: string[] = [];
  const nats = fakeConnection();
  let quorum = false;
  const monitor = new EngineMonitor({
    role: 'ingest',
    nats: nats.connection,
    jetstream: {
      check: async () => {
        if (!quorum) throw new Error('TIMEOUT');
      },
    },
    clickhouse: { ping: async () => undefined },
    postgres: { query: async () => undefined },
    log: (line) => lines.push(line),
    intervalMillis: 5,
  });
  monitor.start();
  while (monitor.down().length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(monitor.down(), ['jetstream']);
  quorum = true;
  while (monitor.down().length > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  await monitor.stop();
  nats.close();
  await monitor.closed();
  assert.equal(lines[0], 'NATS JetStream unreachable: TIMEOUT');
  assert.match(lines[1]!, /^NATS JetStream reachable again after \d+\.\d s, \d+ failures?$/);
});
