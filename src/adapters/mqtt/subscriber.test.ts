import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import type { ChildProcess } from 'node:child_process';
import { connectAsync } from 'mqtt';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort } from '../free-port.ts';
import { MemoryBus } from '../memory/bus.ts';
import { MemoryReadings } from '../memory/readings.ts';
import { MemoryRegistry } from '../memory/registry.ts';
import { coreParsers } from '../../services/edge/core-parsers.ts';
import { EdgeIngest } from '../../services/edge/edge-ingest.ts';
import { Coalescer } from './coalescer.ts';
import { mosquittoMissing, startMosquitto } from './mosquitto.test-helpers.ts';
import { startSubscriber } from './subscriber.ts';

function subscriberOptions(
  url: string,
  readings: MemoryReadings,
  log: (line: string) => void = () => undefined,
) {
  const edge = new EdgeIngest({
    ingestor: readings,
    registry: new MemoryRegistry(),
    bus: new MemoryBus(),
    policy: 'auto-register',
  });
  return { url, coalescer: new Coalescer({ edge }), parsers: coreParsers(), log, connections: 1 };
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function waitFor(condition: () => boolean, timeoutMillis = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

void test('a lost broker is logged once, with its URL but without its password, while reconnecting', async (t) => {
  const missing = mosquittoMissing();
  if (missing !== undefined) {
    t.skip(missing);
    return;
  }
  const folder = mkdtempSync(join(tmpdir(), 'urban-brain-subscriber-'));
  const { port, process: mosquitto } = await startMosquitto(folder);
  const url = `mqtt://ubuser:S3cretBrokerPass@127.0.0.1:${port}`;
  const lines: string[] = [];
  let subscriber: { close(): Promise<void> } | undefined;
  try {
    const edge = new EdgeIngest({
      ingestor: new MemoryReadings(),
      registry: new MemoryRegistry(),
      bus: new MemoryBus(),
      policy: 'auto-register',
    });
    subscriber = await startSubscriber({
      url,
      coalescer: new Coalescer({ edge }),
      parsers: coreParsers(),
      log: (line) => lines.push(line),
      connections: 1,
    });
    // The broker goes away: the reconnection attempts (one a second) fail, and only the first is logged.
    mosquitto.kill('SIGKILL');
    await waitFor(() => lines.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(
      lines[0]!,
      new RegExp(`MQTT broker mqtt://ubuser:\\*\\*\\*@127\\.0\\.0\\.1:${port} failed: `),
    );
    for (const line of lines) assert.ok(!line.includes('S3cretBrokerPass'), line);
  } finally {
    mosquitto.kill('SIGKILL');
    await subscriber?.close();
    rmSync(folder, { recursive: true, force: true });
  }
});

void test('a start that cannot reach the broker fails with one line naming it, without its password', async () => {
  const port = await freePort();
  const edge = new EdgeIngest({
    ingestor: new MemoryReadings(),
    registry: new MemoryRegistry(),
    bus: new MemoryBus(),
    policy: 'auto-register',
  });
  await assert.rejects(
    startSubscriber({
      url: `mqtt://ubuser:S3cretBrokerPass@127.0.0.1:${port}`,
      coalescer: new Coalescer({ edge }),
      parsers: coreParsers(),
      log: () => undefined,
      connections: 1,
    }),
    (error: Error) => {
      assert.match(
        error.message,
        new RegExp(`^MQTT broker mqtt://ubuser:\\*\\*\\*@127\\.0\\.0\\.1:${port}: `),
      );
      return true;
    },
  );
});

void test('a broker that restarts, refusing the server for a while, is reached again and the subscription renewed', async (t) => {
  // Regression: after one refused CONNACK (bad credentials, server unavailable) mqtt.js gave up for
  // good, and the server took no more readings until restarted.
  const missing = mosquittoMissing();
  if (missing !== undefined) {
    t.skip(missing);
    return;
  }
  const folder = mkdtempSync(join(tmpdir(), 'urban-brain-subscriber-'));
  let broker = await startMosquitto(folder, { users: { platform: 'right' } });
  const port = broker.port;
  const lines: string[] = [];
  const readings = new MemoryReadings();
  let subscriber: { close(): Promise<void> } | undefined;
  try {
    subscriber = await startSubscriber({
      ...subscriberOptions(`mqtt://platform:right@127.0.0.1:${port}`, readings, (line) => lines.push(line)),
      clientId: 'urban-brain-test-restart',
      maxReconnectMillis: 1_000,
    });
    broker.process.kill('SIGKILL');
    await exited(broker.process);
    // Back without the session (no persistence), and refusing the server's password for 2.5 s.
    broker = await startMosquitto(folder, { port, users: { platform: 'changed' } });
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    broker.process.kill('SIGKILL');
    await exited(broker.process);
    broker = await startMosquitto(folder, { port, users: { platform: 'right' } });
    await waitFor(() => lines.some((line) => line.includes('works again')));
    const publisher = await connectAsync(`mqtt://127.0.0.1:${port}`, {
      username: 'platform',
      password: 'right',
      reconnectPeriod: 0,
    });
    await publisher.publishAsync('city/back/telemetry', JSON.stringify({ ts: Date.now(), value: 1 }), {
      qos: 1,
    });
    await publisher.endAsync();
    await waitFor(() => readings.readingsOf('back').length === 1);
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.match(lines[0]!, /failed: .*reconnecting after 1 s/);
    assert.match(
      lines[1]!,
      /^ingest from the MQTT broker mqtt:\/\/platform:\*\*\*@127\.0\.0\.1:\d+ works again after /,
    );
  } finally {
    broker.process.kill('SIGKILL');
    await subscriber?.close();
    rmSync(folder, { recursive: true, force: true });
  }
});

void test('bad credentials fail the start with one line naming the broker and the refusal, without the password', async (t) => {
  const missing = mosquittoMissing();
  if (missing !== undefined) {
    t.skip(missing);
    return;
  }
  const folder = mkdtempSync(join(tmpdir(), 'urban-brain-subscriber-'));
  const broker = await startMosquitto(folder, { users: { platform: 'right' } });
  try {
    await assert.rejects(
      startSubscriber({
        ...subscriberOptions(`mqtt://platform:S3cretWrong@127.0.0.1:${broker.port}`, new MemoryReadings()),
        clientId: 'urban-brain-test-refused',
      }),
      (error: Error) => {
        assert.equal(
          error.message,
          `MQTT broker mqtt://platform:***@127.0.0.1:${broker.port}: Connection refused: Not authorized`,
        );
        return true;
      },
    );
  } finally {
    broker.process.kill('SIGKILL');
    rmSync(folder, { recursive: true, force: true });
  }
});

void test('a session expiry outside what MQTT 5 can say is refused', async () => {
  for (const sessionExpirySeconds of [0, 1.5, 2 ** 32])
    await assert.rejects(
      startSubscriber({
        ...subscriberOptions('mqtt://127.0.0.1:1', new MemoryReadings()),
        sessionExpirySeconds,
      }),
      /sessionExpirySeconds must be a whole number from 1 to 4294967294/,
    );
});

void test('a lost broker is tried again after 1 s, then 2 s, then 4 s: backing off, not every second', async (t) => {
  const missing = mosquittoMissing();
  if (missing !== undefined) {
    t.skip(missing);
    return;
  }
  const folder = mkdtempSync(join(tmpdir(), 'urban-brain-subscriber-'));
  const broker = await startMosquitto(folder);
  const attempts: number[] = [];
  const stand = createServer((socket) => {
    attempts.push(Date.now());
    socket.destroy();
  });
  let subscriber: { close(): Promise<void> } | undefined;
  try {
    subscriber = await startSubscriber(
      subscriberOptions(`mqtt://127.0.0.1:${broker.port}`, new MemoryReadings()),
    );
    const lost = Date.now();
    broker.process.kill('SIGKILL');
    await exited(broker.process);
    // Something that takes the connections and closes them at once stands in for the broker.
    await new Promise<void>((resolve) => stand.listen(broker.port, '127.0.0.1', resolve));
    await new Promise((resolve) => setTimeout(resolve, 8_500));
    // At about 1, 3 and 7 s (the next at 15 s); every second would have made 8 attempts.
    const seconds = attempts.map((at) => (at - lost) / 1000);
    assert.equal(seconds.length, 3, `attempts at ${seconds.join(', ')} s`);
    const [first, second, third] = seconds as [number, number, number];
    assert.ok(
      first >= 0.9 && second - first >= 1.9 && third - second >= 3.9,
      `attempts at ${seconds.join(', ')} s`,
    );
  } finally {
    broker.process.kill('SIGKILL');
    await subscriber?.close();
    stand.close();
    rmSync(folder, { recursive: true, force: true });
  }
});
