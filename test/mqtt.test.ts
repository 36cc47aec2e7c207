import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect as connectSocket, type Socket } from 'node:net';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { nodeSecrets } from '../src/adapters/crypto/secrets.ts';
import { MemoryBus } from '../src/adapters/memory/bus.ts';
import { MemoryKeyStore } from '../src/adapters/memory/keys.ts';
import { MemoryReadings } from '../src/adapters/memory/readings.ts';
import { MemoryRegistry } from '../src/adapters/memory/registry.ts';
import { startBroker, type BrokerOptions, type RunningBroker } from '../src/adapters/mqtt/broker.ts';
import { Coalescer } from '../src/adapters/mqtt/coalescer.ts';
import { startSubscriber, type SubscriberOptions } from '../src/adapters/mqtt/subscriber.ts';
import type { Reading, RejectionRule } from '../src/core/readings/reading.ts';
import type { IngestResult, Ingestor } from '../src/ports/ingest.ts';
import { KeyService } from '../src/services/auth/keys.ts';
import { coreParsers } from '../src/services/edge/core-parsers.ts';
import { EdgeIngest, type IngestObserver } from '../src/services/edge/edge-ingest.ts';
import {
  mosquittoMissing,
  mosquittoPath,
  selfSignedCertificate,
  startMosquitto,
} from '../src/adapters/mqtt/mosquitto.test-helpers.ts';
import { startServer } from './support/server-process.ts';
import { waitFor } from './support/ports.ts';

const t0 = Date.now() - 60_000;
const bin = fileURLToPath(new URL('../bin/urban-brain.js', import.meta.url));

/** Answers overloaded for the first `refusals` batches, then stores in `readings`. */
class FlakyIngestor implements Ingestor {
  refusals: number;
  readonly readings: MemoryReadings;
  constructor(readings: MemoryReadings, refusals: number) {
    this.readings = readings;
    this.refusals = refusals;
  }
  async ingest(batch: readonly Reading[]): Promise<IngestResult> {
    if (this.refusals > 0) {
      this.refusals -= 1;
      return { ok: false, reason: 'overloaded', retryAfterSeconds: 0.05 };
    }
    return this.readings.ingest(batch);
  }
}

type Limits = Pick<BrokerOptions, 'maxConnections' | 'connectTimeoutMillis'>;

async function brokerFixture(refusals = 0, keyCheckMillis?: number, limits: Limits = {}) {
  const readings = new MemoryReadings();
  const keys = new KeyService(new MemoryKeyStore(), nodeSecrets);
  const deviceKey = await keys.create('device', 'device');
  const device = deviceKey.secret;
  const viewer = (await keys.create('viewer', 'viewer')).secret;
  const ingestor = new FlakyIngestor(readings, refusals);
  const rejections = new Map<RejectionRule, number>();
  /** Readings counted by path: `accepted <path>` and `<rule> <path>`. */
  const byPath = new Map<string, number>();
  const tally = (key: string, count: number) => byPath.set(key, (byPath.get(key) ?? 0) + count);
  const observer: IngestObserver = {
    accepted: (count, path) => tally(`accepted ${path}`, count),
    rejected: (rule, count, path) => {
      rejections.set(rule, (rejections.get(rule) ?? 0) + count);
      tally(`${rule} ${path}`, count);
    },
    queueDepth: () => undefined,
    stored: () => undefined,
    overloaded: () => undefined,
  };
  const edge = new EdgeIngest({
    ingestor,
    registry: new MemoryRegistry(),
    bus: new MemoryBus(),
    policy: 'auto-register',
    observer,
  });
  const coalescer = new Coalescer({ edge, maxRetryMillis: 50 });
  const broker: RunningBroker = await startBroker({
    host: '127.0.0.1',
    port: 0,
    coalescer,
    parsers: coreParsers(),
    keys,
    ...(keyCheckMillis === undefined ? {} : { keyCheckMillis }),
    ...limits,
  });
  const url = `mqtt://127.0.0.1:${broker.port}`;
  const clients: MqttClient[] = [];
  async function client(password = device, extra: IClientOptions = {}): Promise<MqttClient> {
    const c = await connectAsync(url, { username: 'any', password, reconnectPeriod: 0, ...extra });
    clients.push(c);
    return c;
  }
  const sockets: Socket[] = [];
  /** A bare TCP connection to the broker, for what an MQTT client library would not send. */
  async function socket(): Promise<Socket> {
    const opened = connectSocket(broker.port, '127.0.0.1');
    sockets.push(opened);
    await new Promise<void>((resolve, reject) => opened.once('connect', resolve).once('error', reject));
    return opened;
  }
  async function close() {
    for (const opened of sockets) opened.destroy();
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await broker.close();
    await coalescer.drain();
  }
  return {
    readings,
    ingestor,
    client,
    socket,
    close,
    url,
    viewer,
    keys,
    deviceId: deviceKey.info.id,
    device,
    broker,
    rejections,
    byPath,
  };
}

/** Resolves once the client's connection closes; rejects after `timeoutMillis`. */
function closedWithin(c: MqttClient, timeoutMillis: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`still connected after ${timeoutMillis} ms`)),
      timeoutMillis,
    );
    c.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

void test('aedes: a QoS 1 PUBACK arrives only after the reading is durable', async () => {
  const f = await brokerFixture();
  try {
    const c = await f.client();
    f.readings.hold();
    let acked = false;
    const publish = c
      .publishAsync('city/pump-1.flow/telemetry', JSON.stringify({ ts: t0, value: 3.5 }), { qos: 1 })
      .then(() => {
        acked = true;
      });
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(acked, false, 'no PUBACK while the store has not confirmed');
    assert.equal(f.readings.size, 0);
    f.readings.release();
    await publish;
    assert.deepEqual(f.readings.readingsOf('pump-1.flow'), [{ sensor: 'pump-1.flow', ts: t0, value: 3.5 }]);
  } finally {
    await f.close();
  }
});

void test('aedes: QoS 0 single readings, batches on the telemetry topic, and SenML are stored', async () => {
  const f = await brokerFixture();
  try {
    const c = await f.client();
    for (let i = 0; i < 200; i += 1)
      c.publish('city/s0/telemetry', JSON.stringify({ ts: t0 + i, value: i }), { qos: 0 });
    const batch = [
      { ts: t0, value: 1 },
      { ts: t0 + 1, value: 2 },
    ];
    await c.publishAsync('city/s1/telemetry', JSON.stringify(batch), { qos: 1 });
    const senml = [{ bn: 'valve-3.', bt: t0 / 1000, n: 'position', v: 0.4 }];
    await c.publishAsync('city/senml', JSON.stringify(senml), { qos: 1 });
    await waitFor(() => f.readings.readingsOf('s0').length === 200);
    assert.deepEqual(
      f.readings.readingsOf('s1').map((r) => r.value),
      [1, 2],
    );
    assert.deepEqual(f.readings.readingsOf('valve-3.position'), [
      { sensor: 'valve-3.position', ts: t0, value: 0.4 },
    ]);
  } finally {
    await f.close();
  }
});

void test('aedes: a large SenML pack and a large telemetry batch (read in pieces) are stored whole, item for item', async () => {
  const f = await brokerFixture();
  try {
    const c = await f.client();
    const pack = [
      { bn: 'pack-1.', bt: t0 / 1000, n: 'flow', v: 0 },
      ...Array.from({ length: 6_000 }, (_, i) => ({ n: i % 2 === 0 ? 'flow' : 'head', t: i + 1, v: i + 1 })),
    ];
    const batch = Array.from({ length: 6_000 }, (_, i) => ({ ts: t0 + i, value: i, note: '},{' }));
    assert.ok(JSON.stringify(pack).length > 100_000 && JSON.stringify(batch).length > 100_000);
    await c.publishAsync('city/senml', JSON.stringify(pack), { qos: 1 });
    await c.publishAsync('city/big-2/telemetry', JSON.stringify(batch), { qos: 1 });
    assert.equal(f.readings.readingsOf('pack-1.flow').length, 3_001);
    assert.deepEqual(
      f.readings.readingsOf('pack-1.head').map((r) => r.value),
      pack.filter((record) => record.n === 'head').map((record) => record.v),
    );
    assert.deepEqual(
      f.readings.readingsOf('big-2').map((r) => r.value),
      batch.map((item) => item.value),
    );
  } finally {
    await f.close();
  }
});

void test('aedes: readings are counted under the path they came by, telemetry topics or SenML', async () => {
  const f = await brokerFixture();
  try {
    const c = await f.client();
    // Sent in one turn, so the coalescer gathers them together: each path is still counted apart.
    await Promise.all([
      c.publishAsync(
        'city/s1/telemetry',
        JSON.stringify([
          { ts: t0, value: 1 },
          { ts: t0 + 1, value: 'x' },
        ]),
        {
          qos: 1,
        },
      ),
      c.publishAsync('city/s1/telemetry', 'not json', { qos: 1 }),
      c.publishAsync(
        'city/senml',
        JSON.stringify([
          { bn: 'valve-3.', bt: t0 / 1000, n: 'position', v: 0.4 },
          { n: 'flow', v: 1 },
          { n: 'flow', t: 1, v: 2 },
        ]),
        { qos: 1 },
      ),
      c.publishAsync('city/senml', '{', { qos: 1 }),
    ]);
    assert.deepEqual(Object.fromEntries(f.byPath), {
      'accepted mqtt': 1,
      'not-a-number mqtt': 1,
      'malformed mqtt': 1,
      'accepted mqtt_senml': 3,
      'malformed mqtt_senml': 1,
    });
  } finally {
    await f.close();
  }
});

void test('aedes: while the store is overloaded the PUBACK is withheld, then sent once stored', async () => {
  const f = await brokerFixture(3);
  try {
    const c = await f.client();
    await c.publishAsync('city/s/telemetry', JSON.stringify({ ts: t0, value: 7 }), { qos: 1 });
    assert.equal(f.ingestor.refusals, 0, 'the ingestor refused three times before the ack');
    assert.deepEqual(
      f.readings.readingsOf('s').map((r) => r.value),
      [7],
    );
  } finally {
    await f.close();
  }
});

void test('aedes: a malformed payload is acknowledged and dropped, the connection stays usable', async () => {
  const f = await brokerFixture();
  try {
    const c = await f.client();
    await c.publishAsync('city/s/telemetry', 'not json', { qos: 1 });
    await c.publishAsync('city/s/telemetry', JSON.stringify({ ts: t0, value: 1 }), { qos: 1 });
    assert.equal(f.readings.readingsOf('s').length, 1);
  } finally {
    await f.close();
  }
});

void test('aedes: a publish to a topic other than telemetry or senml closes the connection and stores nothing', async () => {
  const f = await brokerFixture();
  try {
    const c = await f.client();
    const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
    c.publish('city/s/other', JSON.stringify({ ts: t0, value: 1 }), { qos: 1 });
    await closed;
    assert.equal(f.readings.size, 0);
  } finally {
    await f.close();
  }
});

void test('aedes: a client whose key is revoked is disconnected by the next key check and cannot reconnect', async () => {
  // Regression: after DELETE /api/v1/keys/<id> an open connection kept publishing with the key.
  const f = await brokerFixture(0, 50);
  try {
    const c = await f.client();
    await c.publishAsync('city/m1/telemetry', JSON.stringify({ ts: t0, value: 1 }), { qos: 1 });
    const closed = closedWithin(c, 2_000);
    assert.equal(await f.keys.revoke(f.deviceId), true);
    await closed;
    assert.deepEqual(
      f.readings.readingsOf('m1').map((r) => r.value),
      [1],
    );
    await assert.rejects(connectAsync(f.url, { username: 'x', password: 'irrelevant', reconnectPeriod: 0 }));
    await assert.rejects(f.client());
  } finally {
    await f.close();
  }
});

void test('aedes: a client whose key expires is disconnected by the next key check and cannot reconnect', async () => {
  const f = await brokerFixture(0, 50);
  try {
    const expiring = await f.keys.create('season', 'device', { expiresMillis: Date.now() + 400 });
    const c = await f.client(expiring.secret);
    await c.publishAsync('city/e1/telemetry', JSON.stringify({ ts: t0, value: 1 }), { qos: 1 });
    await closedWithin(c, 2_000);
    assert.ok(Date.now() >= (expiring.info.expiresMillis ?? 0), 'not before its expiry');
    assert.deepEqual(
      f.readings.readingsOf('e1').map((r) => r.value),
      [1],
    );
    await assert.rejects(f.client(expiring.secret));
    await f.client(); // a key without expiry still connects
  } finally {
    await f.close();
  }
});

void test('aedes: a key store that cannot answer a key check leaves connected clients publishing', async () => {
  const f = await brokerFixture(0, 20);
  try {
    const c = await f.client();
    let checks = 0;
    f.keys.authenticate = () => {
      checks += 1;
      return Promise.reject(new Error('key store unreachable'));
    };
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.ok(checks >= 2, `the key was checked again (${checks} times)`);
    await c.publishAsync('city/m2/telemetry', JSON.stringify({ ts: t0, value: 2 }), { qos: 1 });
    assert.equal(c.connected, true);
    assert.equal(f.readings.readingsOf('m2').length, 1);
  } finally {
    await f.close();
  }
});

void test('aedes: a payload naming another sensor than its topic is refused, counted and not stored', async () => {
  // Regression: {"sensor":"hijack"} published to city/m1/telemetry was stored as sensor hijack.
  const f = await brokerFixture();
  try {
    const c = await f.client();
    await c.publishAsync('city/m1/telemetry', JSON.stringify({ sensor: 'hijack', ts: t0, value: 7 }), {
      qos: 1,
    });
    await c.publishAsync('city/m1/telemetry', JSON.stringify({ sensor: 'm1', ts: t0, value: 8 }), { qos: 1 });
    assert.equal(f.readings.readingsOf('hijack').length, 0);
    assert.deepEqual(
      f.readings.readingsOf('m1').map((r) => r.value),
      [8],
    );
    assert.equal(f.rejections.get('bad-sensor-id'), 1);
  } finally {
    await f.close();
  }
});

void test('aedes: clients without a device key cannot connect', async () => {
  const f = await brokerFixture();
  try {
    // CONNACK 4 for a key that is none, 5 for a valid key that may not publish (it was 4 too).
    await assert.rejects(connectAsync(f.url, { username: 'x', password: 'wrong', reconnectPeriod: 0 }), {
      code: 4,
    });
    await assert.rejects(connectAsync(f.url, { username: 'x', password: f.viewer, reconnectPeriod: 0 }), {
      code: 5,
    });
    await assert.rejects(connectAsync(f.url, { reconnectPeriod: 0 }), { code: 4 });
  } finally {
    await f.close();
  }
});

/** Resolves once the socket is closed by the other end; rejects after `timeoutMillis`. */
function socketClosedWithin(socket: Socket, timeoutMillis: number): Promise<void> {
  if (socket.closed) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still open after ${timeoutMillis} ms`)), timeoutMillis);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** An MQTT fixed header: packet type byte, then the remaining length in 7-bit groups. */
function fixedHeader(type: number, remainingLength: number): Buffer {
  const bytes = [type];
  let rest = remainingLength;
  do {
    const low = rest % 128;
    rest = Math.floor(rest / 128);
    bytes.push(rest > 0 ? low | 0x80 : low);
  } while (rest > 0);
  return Buffer.from(bytes);
}

void test('aedes: no key may subscribe (SUBACK 0x80): readings are read from the API, not passed on raw', async () => {
  // Regression: an admin's subscription got every payload as sent, readings refused as
  // forbidden-sensor too, and a persistent one queued them in memory without bound while away.
  const f = await brokerFixture();
  try {
    const admin = (await f.keys.create('reader', 'admin')).secret;
    for (const password of [admin, f.device]) {
      const subscriber = await f.client(password, { clientId: `sub-${password.slice(-6)}`, clean: false });
      // mqtt.js rejects a subscription the broker refused, with the SUBACK it got.
      await assert.rejects(
        subscriber.subscribeAsync('#', { qos: 1 }),
        (error: { packet?: { granted?: unknown } }) => {
          assert.deepEqual(error.packet?.granted, [128]);
          return true;
        },
      );
    }
  } finally {
    await f.close();
  }
});

void test('aedes: a device key with sensors writes only those; the others are refused as forbidden-sensor and counted', async () => {
  // Regression: any device key could write any sensor, such as hospital occupancy.
  const f = await brokerFixture();
  try {
    const scoped = await f.keys.create('gw-12', 'device', { sensors: ['gw-12.*'] });
    const c = await f.client(scoped.secret);
    await c.publishAsync('city/gw-12.t/telemetry', JSON.stringify({ ts: t0, value: 1 }), { qos: 1 });
    await c.publishAsync('city/hospital-1.occupancy/telemetry', JSON.stringify({ ts: t0, value: 99 }), {
      qos: 1,
    });
    const senml = [
      { bn: 'gw-12.', bt: t0 / 1000, n: 'h', v: 2 },
      { bn: 'hospital-2.', n: 'occupancy', v: 98 },
    ];
    await c.publishAsync('city/senml', JSON.stringify(senml), { qos: 1 });
    assert.deepEqual(
      [f.readings.readingsOf('gw-12.t').length, f.readings.readingsOf('gw-12.h').length],
      [1, 1],
    );
    assert.equal(f.readings.readingsOf('hospital-1.occupancy').length, 0);
    assert.equal(f.readings.readingsOf('hospital-2.occupancy').length, 0);
    assert.equal(f.rejections.get('forbidden-sensor'), 2);
    assert.equal(c.connected, true, 'a refused reading is dropped, the connection kept');
  } finally {
    await f.close();
  }
});

void test('aedes: a CONNECT announcing more than 64 KiB is cut off at its header, before any key check', async () => {
  // Regression: three sockets announcing 250 MiB CONNECTs made the broker buffer 276 MB.
  const f = await brokerFixture();
  try {
    const socket = await f.socket();
    socket.on('error', () => undefined);
    const closed = socketClosedWithin(socket, 1_000);
    socket.write(Buffer.concat([fixedHeader(0x10, 250 * 1024 * 1024), Buffer.alloc(4096, 1)]));
    await closed;
    await assert.rejects(f.client('x'.repeat(70 * 1024)));
    await f.client();
  } finally {
    await f.close();
  }
});

void test('aedes: after login a message up to 1 MiB is taken, a larger one closes the connection unstored', async () => {
  const f = await brokerFixture();
  try {
    const c = await f.client();
    const padded = (value: number, bytes: number) => {
      const json = JSON.stringify({ ts: t0, value });
      return json + ' '.repeat(bytes - json.length);
    };
    await c.publishAsync('city/big/telemetry', padded(1, 512 * 1024), { qos: 1 });
    assert.equal(f.readings.readingsOf('big').length, 1, 'more than the 64 KiB allowed before login');
    const closed = closedWithin(c, 2_000);
    c.publish('city/big/telemetry', padded(2, 1024 * 1024 + 1), { qos: 1 });
    await closed;
    assert.deepEqual(
      f.readings.readingsOf('big').map((r) => r.value),
      [1],
    );
  } finally {
    await f.close();
  }
});

void test('aedes: connections beyond maxConnections are closed as they arrive', async () => {
  const f = await brokerFixture(0, undefined, { maxConnections: 2 });
  try {
    const held = [await f.socket(), await f.socket()];
    const third = await f.socket();
    await socketClosedWithin(third, 1_000);
    assert.deepEqual(
      held.map((socket) => socket.closed),
      [false, false],
    );
  } finally {
    await f.close();
  }
});

void test('aedes: a connection that sends no CONNECT is closed after connectTimeoutMillis', async () => {
  const f = await brokerFixture(0, undefined, { connectTimeoutMillis: 200 });
  try {
    const started = Date.now();
    await socketClosedWithin(await f.socket(), 2_000);
    assert.ok(Date.now() - started >= 150, 'not before the timeout');
  } finally {
    await f.close();
  }
});

void test('aedes: retained messages and wills are stored as readings but never retained', async () => {
  // Regression: 15 retained messages of 20 MiB each were kept in memory for ever.
  const f = await brokerFixture();
  try {
    const c = await f.client();
    await c.publishAsync('city/r1/telemetry', JSON.stringify({ ts: t0, value: 1 }), { qos: 1, retain: true });
    const will = { ts: t0, value: 3 };
    const dying = await f.client(undefined, {
      will: { topic: 'city/w1/telemetry', payload: Buffer.from(JSON.stringify(will)), qos: 1, retain: true },
    });
    dying.stream.destroy();
    await waitFor(() => f.readings.readingsOf('w1').length === 1);
    assert.equal(f.readings.readingsOf('r1').length, 1);
    assert.deepEqual(await f.broker.retainedTopics(), []);
  } finally {
    await f.close();
  }
});

void test("aedes: a client id held by another key's connection is refused; the same key may take it over", async () => {
  // Regression: a device reusing another's client id knocked it offline.
  const f = await brokerFixture();
  try {
    const other = (await f.keys.create('other', 'device')).secret;
    const first = await f.client(undefined, { clientId: 'pump-7' });
    await assert.rejects(f.client(other, { clientId: 'pump-7' }), /identifier rejected/i);
    await first.publishAsync('city/p7/telemetry', JSON.stringify({ ts: t0, value: 7 }), { qos: 1 });
    assert.equal(first.connected, true);
    const replaced = closedWithin(first, 2_000);
    const again = await f.client(undefined, { clientId: 'pump-7' });
    await replaced;
    assert.equal(again.connected, true, 'a reconnect of the same key takes its id over');
    await again.endAsync();
    await f.client(other, { clientId: 'pump-7' });
  } finally {
    await f.close();
  }
});

let mosquitto: ChildProcess | undefined;
let mosquittoPort = 0;
let folder = '';

void before(async () => {
  if (mosquittoMissing() !== undefined) return;
  folder = mkdtempSync(join(tmpdir(), 'urban-brain-mosquitto-'));
  ({ port: mosquittoPort, process: mosquitto } = await startMosquitto(folder));
});

void after(() => {
  mosquitto?.kill('SIGTERM');
  if (folder !== '') rmSync(folder, { recursive: true, force: true });
});

void test('mosquitto: readings published to an external broker arrive through the shared subscription', async (t) => {
  if (mosquitto === undefined) {
    t.skip(`${mosquittoPath} is not installed (apt-get install mosquitto)`);
    return;
  }
  const readings = new MemoryReadings();
  let delivered = 0;
  const counting: Ingestor = {
    ingest(batch) {
      delivered += batch.length;
      return readings.ingest(batch);
    },
  };
  const edge = new EdgeIngest({
    ingestor: counting,
    registry: new MemoryRegistry(),
    bus: new MemoryBus(),
    policy: 'auto-register',
  });
  const coalescer = new Coalescer({ edge });
  const url = `mqtt://127.0.0.1:${mosquittoPort}`;
  const subscriber = await startSubscriber({
    url,
    coalescer,
    parsers: coreParsers(),
    log: () => undefined,
    connections: 2,
  });
  const publisher = await connectAsync(url, { reconnectPeriod: 0 });
  try {
    for (let i = 0; i < 100; i += 1) {
      await publisher.publishAsync(`city/m${i % 5}/telemetry`, JSON.stringify({ ts: t0 + i, value: i }), {
        qos: 1,
      });
    }
    await publisher.publishAsync('city/senml', JSON.stringify([{ n: 'sen', t: t0 / 1000, v: 9 }]), {
      qos: 1,
    });
    await waitFor(() => readings.size === 101);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(delivered, 101, 'each message is handled by one member of the share group, not by both');
    assert.equal(readings.readingsOf('m0').length, 20);
    assert.deepEqual(
      readings.readingsOf('sen').map((r) => r.value),
      [9],
    );
  } finally {
    await publisher.endAsync();
    await subscriber.close();
    await coalescer.drain();
  }
});

/** Stores in `readings`, or answers each batch as `answer` says while it is set. */
class SwitchableIngestor implements Ingestor {
  readonly readings = new MemoryReadings();
  answer: (() => Promise<IngestResult>) | undefined;
  calls = 0;
  offered = 0;
  ingest(batch: readonly Reading[]): Promise<IngestResult> {
    this.calls += 1;
    this.offered += batch.length;
    return this.answer?.() ?? this.readings.ingest(batch);
  }
}

function subscribeWith(ingestor: Ingestor, clientId?: string, extra: Partial<SubscriberOptions> = {}) {
  const edge = new EdgeIngest({
    ingestor,
    registry: new MemoryRegistry(),
    bus: new MemoryBus(),
    policy: 'auto-register',
  });
  const coalescer = new Coalescer({ edge, log: () => undefined });
  return startSubscriber({
    url: `mqtt://127.0.0.1:${mosquittoPort}`,
    coalescer,
    parsers: coreParsers(),
    log: () => undefined,
    connections: 1,
    // A stopped server's session stays in its share group and gets a share of what is published:
    // a server with an id of its own keeps to a group of its own, so later tests get every message.
    group: clientId ?? 'urban-brain',
    ...(clientId === undefined ? {} : { clientId }),
    ...extra,
  });
}

async function publishReadings(sensor: string, count: number, qos: 0 | 1 = 1): Promise<void> {
  const publisher = await connectAsync(`mqtt://127.0.0.1:${mosquittoPort}`, { reconnectPeriod: 0 });
  try {
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        publisher.publishAsync(`city/${sensor}/telemetry`, JSON.stringify({ ts: t0 + i, value: i }), { qos }),
      ),
    );
  } finally {
    await publisher.endAsync();
  }
}

void test('mosquitto: messages not stored when the server stopped, and QoS 1 ones published while it was stopped, are stored at its next start', async (t) => {
  if (mosquitto === undefined) {
    t.skip(`${mosquittoPath} is not installed`);
    return;
  }
  // Regression: the sessions were clean, so what a stopped (or killed) server had not stored was lost.
  // Regression: stopping unsubscribed, so the broker dropped every reading published until the next start.
  const ingestor = new SwitchableIngestor();
  ingestor.answer = async () => ({ ok: false, reason: 'shutting-down' });
  const first = await subscribeWith(ingestor, 'urban-brain-test-again');
  await publishReadings('again', 10);
  await waitFor(() => ingestor.offered === 10);
  await first.close();
  ingestor.answer = undefined;
  await publishReadings('while-stopped', 7);
  // QoS 0 is never queued for a session that is gone (Mosquitto's queue_qos0_messages aside).
  await publishReadings('while-stopped-qos0', 3, 0);
  const second = await subscribeWith(ingestor, 'urban-brain-test-again');
  try {
    await waitFor(() => ingestor.readings.size === 17);
    assert.deepEqual(
      ['again', 'while-stopped', 'while-stopped-qos0'].map((id) => ingestor.readings.readingsOf(id).length),
      [10, 7, 0],
    );
  } finally {
    await second.close();
  }
});

void test('mosquitto: a session left longer than its expiry is dropped by the broker with the readings queued in it', async (t) => {
  if (mosquitto === undefined) {
    t.skip(`${mosquittoPath} is not installed`);
    return;
  }
  // What --mqtt-session-expiry-hours guards against: the broker keeps a session only that long.
  const ingestor = new SwitchableIngestor();
  const expiring = { sessionExpirySeconds: 1 };
  await (await subscribeWith(ingestor, 'urban-brain-test-expiry', expiring)).close();
  await publishReadings('expiring', 5);
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  await publishReadings('after-expiry', 5);
  const again = await subscribeWith(ingestor, 'urban-brain-test-expiry', expiring);
  try {
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(ingestor.offered, 0, 'neither the queued readings nor later ones (no subscription)');
  } finally {
    await again.close();
  }
});

void test('mosquitto: two servers sharing the subscription store each reading once, and each acknowledges its share', async (t) => {
  if (mosquitto === undefined) {
    t.skip(`${mosquittoPath} is not installed`);
    return;
  }
  const [one, two] = [new SwitchableIngestor(), new SwitchableIngestor()];
  const start = () =>
    Promise.all([
      subscribeWith(one, 'urban-brain-test-pair-a', { connections: 2, group: 'pair' }),
      subscribeWith(two, 'urban-brain-test-pair-b', { connections: 2, group: 'pair' }),
    ]);
  let servers = await start();
  try {
    await publishReadings('pair', 200);
    await waitFor(() => one.readings.size + two.readings.size === 200);
    const values = [one, two].flatMap((ingestor) => ingestor.readings.readingsOf('pair').map((r) => r.value));
    assert.equal(new Set(values).size, 200, 'no reading stored by both');
    assert.ok(one.readings.size > 0 && two.readings.size > 0, 'both took a share');
    // Every message was acknowledged: after a restart of both, the broker sends none again.
    await Promise.all(servers.map((server) => server.close()));
    servers = await start();
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(one.offered + two.offered, 200);
  } finally {
    await Promise.all(servers.map((server) => server.close()));
  }
});

void test('mosquitto: a failed store write closes the connection and the broker sends the messages again', async (t) => {
  if (mosquitto === undefined) {
    t.skip(`${mosquittoPath} is not installed`);
    return;
  }
  // Regression: the message got no PUBACK but was never sent again (the broker resends only on a new connection).
  const ingestor = new SwitchableIngestor();
  ingestor.answer = () => {
    ingestor.answer = undefined;
    return Promise.reject(new Error('disk full'));
  };
  const subscriber = await subscribeWith(ingestor, 'urban-brain-test-failed');
  try {
    await publishReadings('failed', 5);
    await waitFor(() => ingestor.readings.size === 5);
    assert.ok(ingestor.calls >= 2, 'the first write failed');
  } finally {
    await subscriber.close();
  }
});

void test('mosquitto: the messages of one connection are stored together, not one at a time', async (t) => {
  if (mosquitto === undefined) {
    t.skip(`${mosquittoPath} is not installed`);
    return;
  }
  // Regression: each PUBACK waited for its own store write before the next message was read (~2,000 messages/s).
  const ingestor = new SwitchableIngestor();
  const subscriber = await subscribeWith(ingestor);
  try {
    await publishReadings('together', 500);
    await waitFor(() => ingestor.readings.size === 500);
    assert.ok(ingestor.calls <= 50, `500 messages took ${ingestor.calls} store writes`);
  } finally {
    await subscriber.close();
  }
});

void test('mosquitto: serve --mqtt-url mqtts:// subscribes over TLS, trusting a private CA given by NODE_EXTRA_CA_CERTS; an untrusted certificate fails the start (exit 1)', async (t) => {
  const missing = mosquittoMissing();
  const tlsFolder = mkdtempSync(join(tmpdir(), 'urban-brain-mqtts-'));
  t.after(() => rmSync(tlsFolder, { recursive: true, force: true }));
  const certificate = selfSignedCertificate(tlsFolder);
  if (missing !== undefined || certificate === undefined) {
    t.skip(missing ?? 'openssl is not installed');
    return;
  }
  const broker = await startMosquitto(tlsFolder, { tls: certificate });
  t.after(() => broker.process.kill('SIGKILL'));
  const url = `mqtts://localhost:${broker.port}`;
  const untrusted = spawnSync(
    process.execPath,
    [bin, 'serve', '--memory', '--port', '0', '--mqtt-url', url],
    { encoding: 'utf8', env: { ...process.env, NODE_EXTRA_CA_CERTS: '' }, timeout: 20_000 },
  );
  assert.equal(untrusted.status, 1, untrusted.stderr);
  assert.match(
    untrusted.stderr,
    new RegExp(`could not start: MQTT broker mqtts://localhost:${broker.port}: self-signed certificate`),
  );
  const previous = process.env['NODE_EXTRA_CA_CERTS'];
  process.env['NODE_EXTRA_CA_CERTS'] = certificate.certFile;
  const server = await startServer(join(tlsFolder, 'data'), ['--mqtt-url', url]).finally(() => {
    if (previous === undefined) delete process.env['NODE_EXTRA_CA_CERTS'];
    else process.env['NODE_EXTRA_CA_CERTS'] = previous;
  });
  try {
    const publisher = await connectAsync(url, { reconnectPeriod: 0, ca: readFileSync(certificate.certFile) });
    await publisher.publishAsync('city/tls-1/telemetry', JSON.stringify({ ts: t0, value: 4 }), { qos: 1 });
    await publisher.endAsync();
    const key = { authorization: `Bearer ${server.adminKey}` };
    let latest: unknown;
    for (const deadline = Date.now() + 5_000; latest === undefined && Date.now() < deadline;) {
      const answer = await fetch(`${server.baseUrl}/api/v1/latest?sensors=tls-1`, { headers: key });
      latest = ((await answer.json()) as { latest: Record<string, unknown> }).latest['tls-1'];
      if (latest === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual(latest, { ts: t0, value: 4 });
  } finally {
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0);
  }
});
