import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryBus } from '../../adapters/memory/bus.ts';
import { MemoryReadings } from '../../adapters/memory/readings.ts';
import { MemoryRegistry } from '../../adapters/memory/registry.ts';
import type { ParsedBatch, Reading } from '../../core/readings/reading.ts';
import { readingArray, type ReadingBatch } from '../../core/readings/reading-batch.ts';
import type { ReadingColumns } from '../../core/readings/reading-columns.ts';
import { unknownSensor } from '../../core/registry/asset.ts';
import type { IngestResult } from '../../ports/ingest.ts';
import { parseLineProtocol } from '../../core/ingest/line-protocol.ts';
import { EdgeIngest } from './edge-ingest.ts';
import type { IngestObserver } from './edge-ingest.ts';

const batch = (sensor: string, count: number): ParsedBatch => ({
  readings: Array.from({ length: count }, (_, i) => ({ sensor, ts: 1_700_000_000_000 + i, value: i })),
  rejected: [],
});

/** An edge on memory adapters that reports to the observer calls given (the others do nothing). */
function observedEdge(observer: Partial<IngestObserver>, nowMillis?: () => number): EdgeIngest {
  return new EdgeIngest({
    ingestor: new MemoryReadings(),
    registry: new MemoryRegistry(),
    bus: new MemoryBus(),
    policy: 'auto-register',
    ...(nowMillis === undefined ? {} : { nowMillis }),
    observer: {
      accepted: () => undefined,
      rejected: () => undefined,
      queueDepth: () => undefined,
      overloaded: () => undefined,
      stored: () => undefined,
      ...observer,
    },
  });
}

test('turns batches away as overloaded while the downstream backlog is over its limit, when told not to wait', async () => {
  const readings = new MemoryReadings();
  let backlog = 5_000;
  const overloads: [number, string][] = [];
  const edge = new EdgeIngest({
    ingestor: readings,
    registry: new MemoryRegistry(),
    bus: new MemoryBus(),
    policy: 'auto-register',
    downstream: { backlogReadings: () => backlog },
    maxDownstreamBacklogReadings: 4_000,
    downstreamWaitMillis: 0,
    observer: {
      accepted: () => undefined,
      rejected: () => undefined,
      queueDepth: () => undefined,
      stored: () => undefined,
      overloaded: (readings, path) => overloads.push([readings, path]),
    },
  });
  const refused = await edge.accept(batch('pump-1', 10), 'json');
  assert.deepEqual(refused, { ok: false, reason: 'overloaded', retryAfterSeconds: 1, rejected: [] });
  assert.deepEqual(overloads, [[10, 'json']]);
  assert.equal(readings.size, 0, 'nothing of a refused batch is stored');
  backlog = 3_000;
  const taken = await edge.accept(batch('pump-1', 10), 'json');
  assert.deepEqual(taken, { ok: true, accepted: 10, rejected: [] });
});

/** An edge whose downstream backlog the test sets, recording the batches stored in order. */
function gatedEdge(waitMillis: number) {
  const state = { backlog: 5_000 };
  const stored: string[] = [];
  const overloads: number[] = [];
  const depths: number[] = [];
  const ingestor = new MemoryReadings();
  const ingest = ingestor.ingest.bind(ingestor);
  ingestor.ingest = (readings) => {
    stored.push(readings[0]?.sensor ?? '');
    return ingest(readings);
  };
  const edge = new EdgeIngest({
    ingestor,
    registry: new MemoryRegistry(),
    bus: new MemoryBus(),
    policy: 'auto-register',
    downstream: { backlogReadings: () => state.backlog },
    maxDownstreamBacklogReadings: 4_000,
    downstreamWaitMillis: waitMillis,
    observer: {
      accepted: () => undefined,
      rejected: () => undefined,
      queueDepth: (depth) => depths.push(depth),
      stored: () => undefined,
      overloaded: (readings) => overloads.push(readings),
    },
  });
  return { edge, state, stored, overloads, depths };
}

test('a batch waits while the downstream backlog is over its limit, counted in flight, and is stored once it drains', async () => {
  const { edge, state, stored, overloads, depths } = gatedEdge(5_000);
  const first = edge.accept(batch('pump-1', 10), 'json');
  const second = edge.accept(batch('pump-2', 20), 'json');
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.deepEqual(stored, [], 'nothing is stored while the backlog is over its limit');
  assert.equal(depths.at(-1), 30, 'the waiting readings count as in flight');
  state.backlog = 3_000;
  // A batch that comes once there is room waits behind the ones that came before it.
  const third = edge.accept(batch('pump-3', 5), 'json');
  assert.deepEqual(await Promise.all([first, second, third]), [
    { ok: true, accepted: 10, rejected: [] },
    { ok: true, accepted: 20, rejected: [] },
    { ok: true, accepted: 5, rejected: [] },
  ]);
  assert.deepEqual(stored, ['pump-1', 'pump-2', 'pump-3'], 'stored in the order they came');
  assert.deepEqual(overloads, []);
  assert.equal(depths.at(-1), 0);
});

test('a batch that waited its time for the downstream backlog in vain is turned away, and nothing of it is stored', async () => {
  const { edge, stored, overloads, depths } = gatedEdge(40);
  const started = performance.now();
  const outcome = await edge.accept(batch('pump-1', 10), 'json');
  assert.deepEqual(outcome, { ok: false, reason: 'overloaded', retryAfterSeconds: 1, rejected: [] });
  assert.ok(performance.now() - started >= 35, 'it waited before being turned away');
  assert.deepEqual(stored, []);
  assert.deepEqual(overloads, [10]);
  assert.equal(depths.at(-1), 0, 'no longer in flight');
});

/** An ingestor with a key table, counting how often it is asked for keys and what it was given. */
class KeyedIngestor {
  readonly ids = new Map<string, number>();
  lookups = 0;
  given: (Int32Array | undefined)[] = [];
  keyOf(sensor: string): number {
    this.lookups += 1;
    let key = this.ids.get(sensor);
    if (key === undefined) {
      key = this.ids.size;
      this.ids.set(sensor, key);
    }
    return key;
  }
  async ingest(readings: readonly Reading[], keys?: Int32Array): Promise<IngestResult> {
    this.given.push(keys);
    return { ok: true, stored: readings.length };
  }
}

test('looks each sensor up once and asks the registry only about sensors it has not seen known', async () => {
  const ingestor = new KeyedIngestor();
  const registry = new MemoryRegistry();
  let asked = 0;
  const hasSensor = registry.hasSensor.bind(registry);
  registry.hasSensor = (id) => {
    asked += 1;
    return hasSensor(id);
  };
  const edge = new EdgeIngest({ ingestor, registry, bus: new MemoryBus(), policy: 'auto-register' });
  const mixed = (count: number, sensors = 3): ParsedBatch => ({
    readings: Array.from({ length: count }, (_, i) => ({
      sensor: `s-${i % sensors}`,
      ts: 1_700_000_000_000 + i,
      value: i,
    })),
    rejected: [],
  });
  assert.equal((await edge.accept(mixed(30), 'json')).ok, true);
  assert.equal(ingestor.lookups, 30, 'one key lookup per reading');
  assert.deepEqual(
    [...(ingestor.given[0] ?? [])].slice(0, 4),
    [0, 1, 2, 0],
    'the keys go down with the readings',
  );
  assert.equal(registry.hasSensor('s-2'), true, 'unknown sensors were registered');
  asked = 0;
  await edge.accept(mixed(30), 'json');
  assert.equal(asked, 0, 'sensors this edge registered are not asked about again');
  await registry.putSensors([unknownSensor('s-3')]);
  await edge.accept(mixed(40, 4), 'json');
  assert.equal(asked, 1, 'a sensor registered elsewhere is asked about once, then remembered');
  await edge.accept(mixed(40, 4), 'json');
  assert.equal(asked, 1, 'remembered sensors are not asked again');
  await registry.deleteSensor('s-1');
  await edge.accept(mixed(30), 'json');
  assert.equal(registry.hasSensor('s-1'), true, 'a deleted sensor that sends again is registered again');
});

test('publishes a batch with the store keys of its sensors under auto-register, and without them under reject', async () => {
  const published: ReadingBatch[] = [];
  const keyedBus = new MemoryBus();
  keyedBus.subscribe('readings', (readings) => void published.push(readings));
  const ingestor = new KeyedIngestor();
  const auto = new EdgeIngest({
    ingestor,
    registry: new MemoryRegistry(),
    bus: keyedBus,
    policy: 'auto-register',
  });
  const readings = ['a', 'b', 'a', 'c'].map((sensor, i) => ({ sensor, ts: 1_700_000_000_000 + i, value: i }));
  assert.equal((await auto.accept({ readings, rejected: [] }, 'json')).ok, true);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual([...(published[0]?.sensorKeys ?? [])], [0, 1, 0, 2]);
  assert.equal(
    JSON.stringify(published[0]),
    JSON.stringify(readings),
    'the keys are not part of the readings as sent on',
  );

  const registry = new MemoryRegistry();
  await registry.addMissingSensors([unknownSensor('a')]);
  const plainBus = new MemoryBus();
  const plain: ReadingBatch[] = [];
  plainBus.subscribe('readings', (batch) => void plain.push(batch));
  const reject = new EdgeIngest({ ingestor: new KeyedIngestor(), registry, bus: plainBus, policy: 'reject' });
  const outcome = await reject.accept({ readings, rejected: [] }, 'json');
  assert.equal(outcome.ok && outcome.accepted, 2);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(plain[0]?.length, 2);
  assert.equal(plain[0]?.sensorKeys, undefined, 'no keys where unknown sensors are not stored');
});

test('under the reject policy an unknown sensor is named by the line it came from, even after multi-field lines', async () => {
  const registry = new MemoryRegistry();
  await registry.putSensors(
    ['pump-1', 'pump-1.temp'].map((id) => ({
      id,
      kind: 'x',
      unit: '',
      asset: null,
      lat: null,
      lon: null,
      tags: {},
    })),
  );
  const edge = new EdgeIngest({
    ingestor: new MemoryReadings(),
    registry,
    bus: new MemoryBus(),
    policy: 'reject',
  });
  const body = [
    'pump,sensor=pump-1 value=1,temp=20 1700000000000',
    'pump,sensor=nobody value=2 1700000000000',
  ].join('\n');
  const parsed = parseLineProtocol(body, 'ms', 1_700_000_000_000);
  assert.ok(parsed.ok);
  const outcome = await edge.accept(parsed.batch, 'line_protocol');
  assert.equal(outcome.ok, true);
  assert.deepEqual(
    outcome.rejected.map((r) => [r.index, r.sensor, r.rule]),
    [[1, 'nobody', 'unknown-sensor']],
  );
});

test('times the store on a monotonic clock: a wall clock stepping back gives no negative write time', async () => {
  // Regression: the write time was the difference of two wall-clock readings, negative when the
  // clock was set back during a write (and never finer than 1 ms).
  const stored: [number, number][] = [];
  const wall = [1_700_000_010_000, 1_700_000_005_000];
  const edge = observedEdge(
    { stored: (writeMillis, lagMillis) => stored.push([writeMillis, lagMillis]) },
    () => wall.shift() ?? 1_700_000_005_000,
  );
  assert.equal((await edge.accept(batch('pump-1', 3), 'json')).ok, true);
  const [writeMillis] = stored[0] ?? [];
  assert.ok(writeMillis !== undefined && writeMillis >= 0 && writeMillis < 1_000, `write ${writeMillis} ms`);
});

test('counts a body refused whole as one rejection under its rule and path', () => {
  const counted: [string, number, string][] = [];
  const edge = observedEdge({
    rejected: (rule, count, path) => counted.push([rule, count, path]),
  });
  edge.refused('malformed', 'senml');
  assert.deepEqual(counted, [['malformed', 1, 'senml']]);
});

test('reports each batch once, under the path it came by: accepted readings and rejections by rule', async () => {
  const calls: string[] = [];
  const edge = observedEdge({
    accepted: (count, path) => calls.push(`accepted ${count} ${path}`),
    rejected: (rule, count, path) => calls.push(`rejected ${rule} ${count} ${path}`),
  });
  const rejection = (index: number, rule: 'missing' | 'not-a-number') => ({
    index,
    field: 'value',
    value: null,
    rule,
    message: rule,
  });
  const mixed: ParsedBatch = {
    readings: batch('pump-1', 3).readings,
    rejected: [rejection(3, 'missing'), rejection(4, 'not-a-number'), rejection(5, 'missing')],
  };
  await edge.accept(mixed, 'mqtt_senml');
  await edge.accept(batch('pump-2', 2), 'line_protocol');
  assert.deepEqual(calls, [
    'rejected missing 2 mqtt_senml',
    'rejected not-a-number 1 mqtt_senml',
    'accepted 3 mqtt_senml',
    'accepted 2 line_protocol',
  ]);
});

/** A keyed ingestor that also takes columns, recording what came which way. */
class ColumnIngestor extends KeyedIngestor {
  readonly columns: { sensors: string[]; timestamps: number[]; values: number[]; keys: number[] }[] = [];
  byReadings = 0;
  override async ingest(readings: readonly Reading[], keys?: Int32Array): Promise<IngestResult> {
    this.byReadings += 1;
    return super.ingest(readings, keys);
  }
  async ingestColumns(columns: ReadingColumns, keys: Int32Array): Promise<IngestResult> {
    this.columns.push({
      sensors: [...columns.sensors],
      timestamps: [...columns.timestamps],
      values: [...columns.values],
      keys: [...keys],
    });
    return { ok: true, stored: columns.length };
  }
}

test('a parsed batch goes to the store as columns under auto-register, and is registered, published and counted as readings would be', async () => {
  const ingestor = new ColumnIngestor();
  const registry = new MemoryRegistry();
  await registry.putSensors([unknownSensor('known')]);
  let asked = 0;
  const hasSensor = registry.hasSensor.bind(registry);
  registry.hasSensor = (id) => {
    asked += 1;
    return hasSensor(id);
  };
  const bus = new MemoryBus();
  const published: ReadingBatch[] = [];
  bus.subscribe('readings', (readings) => void published.push(readings));
  const edge = new EdgeIngest({ ingestor, registry, bus, policy: 'auto-register' });
  const body = ['m,sensor=new value=1 1000', 'm,sensor=known value=2.5 2000', 'm,sensor=new value=x 3000'];
  const parsed = parseLineProtocol(body.join('\n'), 'ms', 10_000);
  assert.ok(parsed.ok);
  const outcome = await edge.accept(parsed.batch, 'line_protocol');
  assert.equal(outcome.ok && outcome.accepted, 2);
  assert.deepEqual(
    outcome.rejected.map((rejection) => [rejection.index, rejection.rule]),
    [[2, 'not-a-number']],
  );
  assert.equal(ingestor.byReadings, 0, 'no reading objects went to the store');
  assert.deepEqual(ingestor.columns, [
    { sensors: ['new', 'known'], timestamps: [1000, 2000], values: [1, 2.5], keys: [0, 1] },
  ]);
  assert.equal(hasSensor('new'), true, 'the unknown sensor was registered');
  await new Promise((resolve) => setImmediate(resolve));
  const first = published[0];
  assert.deepEqual([...(first?.sensorKeys ?? [])], [0, 1]);
  assert.deepEqual(first === undefined ? undefined : readingArray(first), [
    { sensor: 'new', ts: 1000, value: 1 },
    { sensor: 'known', ts: 2000, value: 2.5 },
  ]);
  asked = 0;
  // The same batch again (as after `overloaded`): published again, with its keys.
  await edge.accept(parsed.batch, 'line_protocol');
  assert.equal(asked, 0, 'sensors seen known are not asked about again');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(published.length, 2);
  assert.deepEqual([...(published[1]?.sensorKeys ?? [])], [0, 1]);

  // Under reject the policy needs the readings: the same batch goes the way of objects.
  const strict = new ColumnIngestor();
  const reject = new EdgeIngest({ ingestor: strict, registry, bus: new MemoryBus(), policy: 'reject' });
  const again = parseLineProtocol('m,sensor=other value=1 1000\nm,sensor=known value=2 2000', 'ms', 10_000);
  assert.ok(again.ok);
  const refused = await reject.accept(again.batch, 'line_protocol');
  assert.equal(refused.ok && refused.accepted, 1);
  assert.deepEqual(
    refused.rejected.map((rejection) => [rejection.index, rejection.rule]),
    [[0, 'unknown-sensor']],
  );
  assert.equal(strict.byReadings, 1);
  assert.equal(strict.columns.length, 0);
});
