import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryReadingStore } from '../../adapters/memory/reading-store.ts';
import type { IngestLog } from './ingest-log.ts';
import { IngestPipeline } from './pipeline.ts';
import { resolvePipelineOptions, type PipelineOptions } from './pipeline-options.ts';

/** A log that records appends and holds every sync until `release` is called. */
class HeldLog implements IngestLog {
  currentSegment = 1;
  backlogBytes = 0;
  appended = 0;
  removedBefore = 0;
  private waiting: (() => void)[] = [];
  private declared = new Set<number>();
  hold = false;

  needsDefine(key: number): boolean {
    if (this.declared.has(key)) return false;
    this.declared.add(key);
    return true;
  }

  append(batch: { length: number }): Promise<void> {
    this.appended += batch.length;
    this.backlogBytes += batch.length * 20;
    if (!this.hold) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }

  async rotate(): Promise<number> {
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
  const errors: unknown[] = [];
  const pipeline = new IngestPipeline(
    store,
    log,
    resolvePipelineOptions({
      maxBufferedReadings: 100,
      flushThresholdReadings: 50,
      onError: (error) => errors.push(error),
      ...options,
    }),
  );
  return { store, log, pipeline, errors };
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

test('a failing store never throws out of the background loop; the chunk is retried', async () => {
  const { store, pipeline, errors } = setup();
  const append = store.append.bind(store);
  let failures = 1;
  store.append = async (chunk) => {
    if (failures-- > 0) throw new Error('disk full');
    return append(chunk);
  };
  await pipeline.ingest(readings(10));
  await pipeline.forceFlush();
  assert.equal(errors.length, 1);
  assert.equal(await store.count(), 0);
  await pipeline.forceFlush();
  assert.equal(await store.count(), 10);
});

test('replays recovered readings by sensor id', async () => {
  const { store, pipeline } = setup();
  const ids = ['p', 'q'];
  await pipeline.replay(
    {
      keys: Uint32Array.of(1, 0, 1),
      timestamps: Float64Array.of(1, 2, 3),
      values: Float64Array.of(7, 8, 9),
      length: 3,
    },
    (walKey) => ids[walKey] as string,
  );
  await pipeline.forceFlush();
  const latest = await store.latest(['p', 'q']);
  assert.deepEqual(latest.get('q'), { ts: 3, value: 9 });
  assert.deepEqual(latest.get('p'), { ts: 2, value: 8 });
});
