import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryReadingStore } from '../../adapters/memory/reading-store.ts';
import type { IngestLog } from './ingest-log.ts';
import { IngestPipeline } from './pipeline.ts';
import { resolvePipelineOptions, type PipelineOptions } from './pipeline-options.ts';
import { StorageUnavailableError } from './storage-unavailable.ts';

/** A log that records appends and holds every sync until `release` is called. */
class HeldLog implements IngestLog {
  currentSegment = 1;
  backlogBytes = 0;
  appended = 0;
  removedBefore = 0;
  private waiting: (() => void)[] = [];
  private declared = new Set<number>();
  hold = false;
  /** While set, appends reject with it. */
  failure: Error | undefined;
  /** While set, rotations reject with it. */
  rotateFailure: Error | undefined;

  needsDefine(key: number): boolean {
    if (this.declared.has(key)) return false;
    this.declared.add(key);
    return true;
  }

  append(batch: { length: number }): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    this.appended += batch.length;
    this.backlogBytes += batch.length * 20;
    if (!this.hold) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }

  async rotate(): Promise<number> {
    if (this.rotateFailure !== undefined) throw this.rotateFailure;
    this.currentSegment += 1;
    this.declared.clear();
    return this.currentSegment;
  }

  removeBefore(sequence: number): void {
    this.removedBefore = sequence;
    this.backlogBytes = 0;
  }

  async close(): Promise<void> {}
}

function setup(options: Partial<PipelineOptions> = {}) {
  const store = new MemoryReadingStore();
  const log = new HeldLog();
  const lines: string[] = [];
  const pipeline = new IngestPipeline(
    store,
    log,
    resolvePipelineOptions({
      maxBufferedReadings: 100,
      flushThresholdReadings: 50,
      log: (line) => lines.push(line),
      ...options,
    }),
  );
  return { store, log, pipeline, lines };
}

const readings = (count: number, sensor = 's', from = 0) =>
  Array.from({ length: count }, (_, i) => ({ sensor, ts: from + i, value: i }));

test('acknowledges only after the log is synced', async () => {
  const { log, pipeline } = setup();
  log.hold = true;
  let acknowledged = false;
  const result = pipeline.ingest(readings(10)).then((value) => {
    acknowledged = true;
    return value;
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(acknowledged, false);
  log.release();
  assert.deepEqual(await result, { ok: true, stored: 10 });
});

test('answers overloaded when the buffer is full, and accepts again after a flush', async () => {
  const { store, log, pipeline } = setup({ flushThresholdReadings: 100 });
  assert.equal((await pipeline.ingest(readings(90))).ok, true);
  const refused = await pipeline.ingest(readings(20, 't'));
  assert.deepEqual(refused, { ok: false, reason: 'overloaded', retryAfterSeconds: 1 });
  await pipeline.forceFlush();
  assert.equal(await store.count(), 90);
  assert.equal(log.removedBefore, log.currentSegment, 'segments covered by the checkpoint are removed');
  assert.equal((await pipeline.ingest(readings(20, 't'))).ok, true);
});

test('answers overloaded when the log backlog exceeds its bound', async () => {
  const { log, pipeline } = setup({ maxWalBacklogBytes: 100 });
  log.backlogBytes = 1000;
  assert.equal((await pipeline.ingest(readings(1))).ok, false);
});

test('shutdown flushes everything and refuses later readings', async () => {
  const { store, pipeline } = setup();
  await pipeline.ingest(readings(30));
  await pipeline.ingest(readings(30, 's', 15)); // 15 re-sent
  await pipeline.shutdown();
  assert.equal(await store.count(), 45);
  assert.deepEqual(await pipeline.ingest(readings(1)), { ok: false, reason: 'shutting-down' });
  assert.equal(pipeline.stats().duplicates, 15);
});

/** Makes `store.append` fail `times` times with `message`. */
function failAppends(store: MemoryReadingStore, times: number, message = 'disk full'): void {
  const append = store.append.bind(store);
  let failures = times;
  store.append = async (chunk) => {
    if (failures-- > 0) throw new Error(message);
    return append(chunk);
  };
}

test('a failed forced flush rejects and keeps the chunk, which the next flush stores', async () => {
  const { store, pipeline } = setup();
  failAppends(store, 1);
  await pipeline.ingest(readings(10));
  await assert.rejects(pipeline.forceFlush(), /disk full/);
  assert.equal(await store.count(), 0);
  assert.equal(pipeline.stats().failures, 1);
  await pipeline.forceFlush();
  assert.equal(await store.count(), 10);
});

test('shutdown rejects when the last flush fails, and closes the log regardless', async () => {
  // Regression: the error went to the log only, so the process reported a clean stop.
  const { store, log, pipeline } = setup();
  let closed = false;
  log.close = async () => {
    closed = true;
  };
  failAppends(store, 5);
  await pipeline.ingest(readings(10));
  await assert.rejects(pipeline.shutdown(), /disk full/);
  assert.equal(closed, true);
});

test('background flushes that keep failing are logged once when they start and once when they work again', async () => {
  const { store, pipeline, lines } = setup({ flushIntervalMillis: 5 });
  failAppends(store, 4, 'Cannot write: disk full');
  pipeline.start();
  await pipeline.ingest(readings(10));
  while ((await store.count()) < 10) await new Promise((resolve) => setTimeout(resolve, 5));
  await pipeline.shutdown();
  assert.equal(pipeline.stats().failures, 4);
  assert.equal(lines.length, 2, lines.join('\n'));
  assert.match(lines[0] ?? '', /^ingest flush failed: Cannot write: disk full/);
  assert.match(lines[1] ?? '', /^ingest flush works again after [\d.]+ s, 4 failures$/);
});

test('a failed log write is not acknowledged, later calls are refused until a retry works, one line each way', async () => {
  const { log, pipeline, lines } = setup({ unwritableRetryMillis: 30 });
  log.failure = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  const failed = await pipeline.ingest(readings(5)).catch((error: unknown) => error);
  assert.ok(failed instanceof StorageUnavailableError);
  assert.equal(failed.diskFull, true);
  assert.equal(pipeline.logWritable, false);
  log.failure = undefined;
  // Within the retry period the call is refused without trying the log.
  const appended = log.appended;
  await assert.rejects(pipeline.ingest(readings(5, 't')), StorageUnavailableError);
  assert.equal(log.appended, appended, 'a refused call writes nothing');
  await new Promise((resolve) => setTimeout(resolve, 40));
  assert.deepEqual(await pipeline.ingest(readings(5, 't')), { ok: true, stored: 5 });
  assert.equal(pipeline.logWritable, true);
  assert.equal(pipeline.stats().logWriteFailures, 2);
  assert.equal(lines.length, 2, lines.join('\n'));
  assert.match(lines[0] ?? '', /^ingest write-ahead log write failed: ENOSPC/);
  assert.match(lines[1] ?? '', /^ingest write-ahead log write works again after [\d.]+ s, 2 failures$/);
});

test('after stopAccepting new calls are refused, a call already accepted is acknowledged', async () => {
  const { log, pipeline } = setup();
  log.hold = true;
  const accepted = pipeline.ingest(readings(10));
  pipeline.stopAccepting();
  assert.deepEqual(await pipeline.ingest(readings(1, 't')), { ok: false, reason: 'shutting-down' });
  log.release();
  assert.deepEqual(await accepted, { ok: true, stored: 10 });
});

test('a checkpoint whose log rotation fails still flushes the buffer, keeps the segments and rejects', async () => {
  const { store, log, pipeline } = setup();
  await pipeline.ingest(readings(10));
  log.rotateFailure = new Error('ENOENT: no such file or directory');
  await assert.rejects(pipeline.forceFlush(), /ENOENT/);
  assert.equal(await store.count(), 10);
  assert.equal(log.removedBefore, 0, 'no segment is deleted');
  log.rotateFailure = undefined;
  await pipeline.forceFlush();
  assert.equal(log.removedBefore, log.currentSegment);
});

test('replays recovered readings by sensor id and skips those of keys it cannot name', async () => {
  const { store, pipeline } = setup();
  const ids = ['p', 'q'];
  const skipped = await pipeline.replay(
    {
      keys: Uint32Array.of(1, 0, 1, 7),
      timestamps: Float64Array.of(1, 2, 3, 4),
      values: Float64Array.of(7, 8, 9, 10),
      length: 4,
    },
    (walKey) => ids[walKey],
  );
  assert.equal(skipped, 1);
  await pipeline.forceFlush();
  const latest = await store.latest(['p', 'q']);
  assert.deepEqual(latest.get('q'), { ts: 3, value: 9 });
  assert.deepEqual(latest.get('p'), { ts: 2, value: 8 });
});

test('retention first runs soon after the start, not one whole period later; bug: a server restarted hourly never deleted', async () => {
  const { store, pipeline } = setup({ retentionIntervalMillis: 3_600_000, firstRetentionMillis: 20 });
  const runs: number[] = [];
  const applyRetention = store.applyRetention.bind(store);
  store.applyRetention = async (nowMillis, policy) => {
    runs.push(nowMillis);
    return applyRetention(nowMillis, policy);
  };
  pipeline.start();
  await new Promise((resolve) => setTimeout(resolve, 200));
  await pipeline.shutdown();
  assert.equal(runs.length, 1);
});

test('a forced flush under a steady stream ends after storing what came before it; bug: it waited for a pause in ingest', async () => {
  const { store, log, pipeline } = setup({ maxBufferedReadings: 1_000, flushThresholdReadings: 1_000 });
  const append = store.append.bind(store);
  // Each store write takes a while, during which the stream goes on.
  store.append = async (chunk) => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    return append(chunk);
  };
  let streaming = true;
  let sent = 0;
  const stream = (async () => {
    while (streaming) {
      const result = await pipeline.ingest(readings(10, 's', sent));
      if (result.ok) sent += 10;
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  while (sent < 200) await new Promise((resolve) => setImmediate(resolve));
  const before = sent;
  const flushed = pipeline.forceFlush().then(() => 'flushed');
  const outcome = await Promise.race([
    flushed,
    new Promise((resolve) => setTimeout(() => resolve('still flushing after 2 s'), 2_000)),
  ]);
  streaming = false;
  await stream;
  assert.equal(outcome, 'flushed');
  assert.ok((await store.count()) >= before, 'every reading acknowledged before the flush is stored');
  assert.ok(log.removedBefore > 0, 'the covered segments were deleted');
  await pipeline.shutdown();
  assert.equal(await store.count(), sent);
});

test('readings given as columns with their keys are stored as readings given one by one are', async () => {
  const { store, log, pipeline } = setup();
  const keys = Int32Array.of(store.sensorKey('p'), store.sensorKey('q'), store.sensorKey('p'));
  const columns = {
    length: 3,
    sensors: ['p', 'q', 'p'],
    timestamps: Float64Array.of(1, 2, 3),
    values: Float64Array.of(10, 20, 30),
  };
  assert.deepEqual(await pipeline.ingestColumns(columns, keys), { ok: true, stored: 3 });
  assert.equal(log.appended, 3, 'written to the log before the acknowledgement');
  await pipeline.forceFlush();
  assert.deepEqual(store.readingsOf('p'), [
    { sensor: 'p', ts: 1, value: 10 },
    { sensor: 'p', ts: 3, value: 30 },
  ]);
  assert.deepEqual(store.readingsOf('q'), [{ sensor: 'q', ts: 2, value: 20 }]);
  assert.throws(() => pipeline.ingestColumns(columns, Int32Array.of(0)), /1 sensor keys for 3 readings/);
});
