import type { Reading } from '../../core/readings/reading.ts';
import type { IngestResult, Ingestor } from '../../ports/ingest.ts';
import type { KeyedReadings, ReadingStore } from '../../ports/reading-store.ts';
import type { IngestLog } from './ingest-log.ts';
import type { PipelineOptions } from './pipeline-options.ts';
import { ReadingBuffer } from './reading-buffer.ts';

/** Counters of the pipeline, for metrics. */
export interface PipelineStats {
  accepted: number;
  stored: number;
  duplicates: number;
  buffered: number;
  walBacklogBytes: number;
  flushes: number;
  lastFlushMillis: number;
  failures: number;
}

/**
 * The ingest pipeline. `ingest` copies readings into an in-memory buffer and the write-ahead log
 * and resolves once the log is synced (group commit). A background loop flushes the buffer to the
 * store; a slower one checkpoints the store and deletes the log segments it covers. Memory is
 * bounded by `maxBufferedReadings` (two buffers: one filling, one flushing).
 */
export class IngestPipeline implements Ingestor {
  private active: ReadingBuffer;
  private spare: ReadingBuffer;
  /** A chunk whose flush failed, retried before anything newer. */
  private pending: ReadingBuffer | undefined;
  private chain: Promise<void> = Promise.resolve();
  private busy = false;
  private stopping = false;
  private timers: NodeJS.Timeout[] = [];
  private readonly counters: PipelineStats = {
    accepted: 0,
    stored: 0,
    duplicates: 0,
    buffered: 0,
    walBacklogBytes: 0,
    flushes: 0,
    lastFlushMillis: 0,
    failures: 0,
  };

  constructor(
    private readonly store: ReadingStore,
    private readonly log: IngestLog,
    private readonly options: PipelineOptions,
  ) {
    this.active = new ReadingBuffer(options.maxBufferedReadings);
    this.spare = new ReadingBuffer(options.maxBufferedReadings);
  }

  /** Starts the background loops. */
  start(): void {
    const every = (millis: number, task: () => void) => {
      const timer = setInterval(task, millis);
      timer.unref();
      this.timers.push(timer);
    };
    every(this.options.flushIntervalMillis, () => this.scheduleFlush());
    every(
      this.options.checkpointIntervalMillis,
      () => void this.exclusive('checkpoint', () => this.checkpoint()),
    );
    every(this.options.retentionIntervalMillis, () => void this.exclusive('retention', () => this.retain()));
  }

  keyOf(sensor: string): number {
    return this.store.sensorKey(sensor);
  }

  async ingest(readings: readonly Reading[], keys?: Int32Array): Promise<IngestResult> {
    if (this.stopping) return { ok: false, reason: 'shutting-down' };
    if (readings.length === 0) return { ok: true, stored: 0 };
    if (readings.length > this.active.free || this.log.backlogBytes > this.options.maxWalBacklogBytes) {
      this.scheduleFlush();
      return { ok: false, reason: 'overloaded', retryAfterSeconds: 1 };
    }
    const buffer = this.active;
    const start = buffer.length;
    const defines: [number, string][] = [];
    const given = keys !== undefined && keys.length === readings.length ? keys : undefined;
    for (let index = 0; index < readings.length; index++) {
      const reading = readings[index] as Reading;
      const key = given === undefined ? this.store.sensorKey(reading.sensor) : (given[index] as number);
      if (this.log.needsDefine(key)) defines.push([key, reading.sensor]);
      buffer.push(key, reading.ts, reading.value);
    }
    const end = buffer.length;
    const durable = this.log.append({
      defines,
      keys: buffer.keys.subarray(start, end),
      timestamps: buffer.timestamps.subarray(start, end),
      values: buffer.values.subarray(start, end),
      length: end - start,
    });
    this.counters.accepted += readings.length;
    if (buffer.length >= this.options.flushThresholdReadings) this.scheduleFlush();
    await durable;
    return { ok: true, stored: readings.length };
  }

  /** Feeds readings recovered from the log into the buffer (no new log record), flushing as it fills. */
  async replay(chunk: KeyedReadings, idOf: (walKey: number) => string): Promise<void> {
    const translated = new Map<number, number>();
    for (let row = 0; row < chunk.length; row++) {
      const walKey = chunk.keys[row] as number;
      let key = translated.get(walKey);
      if (key === undefined) {
        key = this.store.sensorKey(idOf(walKey));
        translated.set(walKey, key);
      }
      if (this.active.free === 0) await this.flushAll();
      this.active.push(key, chunk.timestamps[row] as number, chunk.values[row] as number);
    }
  }

  private scheduleFlush(): void {
    if (this.busy) return;
    void this.exclusive('flush', () => this.flushOnce());
  }

  /** Runs `task` after every earlier one; errors go to `onError`, never to the caller. */
  private exclusive(name: string, task: () => Promise<void>): Promise<void> {
    this.busy = true;
    const run = this.chain.then(async () => {
      try {
        await task();
      } catch (error) {
        this.counters.failures += 1;
        this.options.onError(error, name);
      }
    });
    this.chain = run.finally(() => {
      if (this.chain === chained) this.busy = false;
    });
    const chained = this.chain;
    return chained;
  }

  /** Writes one buffer's worth to the store; a failed chunk is kept and retried first. */
  private async flushOnce(): Promise<void> {
    let chunk = this.pending;
    if (chunk === undefined) {
      if (this.active.length === 0) return;
      chunk = this.active;
      this.active = this.spare;
      this.spare = chunk;
      this.pending = chunk;
    }
    const started = performance.now();
    const result = await this.store.append(chunk);
    this.pending = undefined;
    chunk.clear();
    this.counters.stored += result.stored;
    this.counters.duplicates += result.duplicates;
    this.counters.flushes += 1;
    this.counters.lastFlushMillis = performance.now() - started;
  }

  private async flushAll(): Promise<void> {
    while (this.pending !== undefined || this.active.length > 0) await this.flushOnce();
  }

  /** Rotates the log, flushes all it covers, checkpoints the store, then deletes the covered segments. */
  private async checkpoint(): Promise<void> {
    const segment = await this.log.rotate();
    await this.flushAll();
    await this.store.checkpoint();
    this.log.removeBefore(segment);
  }

  private async retain(): Promise<void> {
    await this.store.applyRetention(Date.now(), this.options.retention);
  }

  /** Flushes everything buffered to the store and checkpoints. */
  forceFlush(): Promise<void> {
    return this.exclusive('force-flush', () => this.checkpoint());
  }

  stats(): PipelineStats {
    return {
      ...this.counters,
      buffered: this.active.length + (this.pending?.length ?? 0),
      walBacklogBytes: this.log.backlogBytes,
    };
  }

  /** Refuses new readings, flushes and checkpoints everything, closes the log. The store stays open. */
  async shutdown(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await this.exclusive('shutdown', () => this.checkpoint());
    await this.log.close();
  }
}
