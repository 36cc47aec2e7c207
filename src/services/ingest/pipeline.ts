import type { Reading } from '../../core/readings/reading.ts';
import { assertKeyCount } from '../../core/readings/reading-batch.ts';
import type { ReadingColumns } from '../../core/readings/reading-columns.ts';
import type { IngestResult, Ingestor } from '../../ports/ingest.ts';
import type { KeyedReadings, ReadingStore } from '../../ports/reading-store.ts';
import { FailureEpisodes } from './failure-episodes.ts';
import type { IngestLog } from './ingest-log.ts';
import type { PipelineOptions } from './pipeline-options.ts';
import { ReadingBuffer } from './reading-buffer.ts';
import { StorageUnavailableError } from './storage-unavailable.ts';

/** Counters of the pipeline, for metrics. */
export interface PipelineStats {
  accepted: number;
  stored: number;
  duplicates: number;
  buffered: number;
  walBacklogBytes: number;
  flushes: number;
  lastFlushMillis: number;
  /** Background flushes, checkpoints and retention runs that failed (each is retried). */
  failures: number;
  /** Ingest calls not acknowledged because the write-ahead log could not be written. */
  logWriteFailures: number;
  /** False from a failed log write until a write works again. */
  logWritable: boolean;
}

const LOG_WRITE = 'write-ahead log write';

/**
 * The ingest pipeline. `ingest` copies readings into an in-memory buffer and the write-ahead log
 * and resolves once the log is synced (group commit). A background loop flushes the buffer to the
 * store; a slower one checkpoints the store and deletes the log segments it covers. Memory is
 * bounded by `maxBufferedReadings` (two buffers: one filling, one flushing).
 * When a log write fails, the readings of that call are not acknowledged (`ingest` throws
 * `StorageUnavailableError`), and further calls are refused at once, but for one try every
 * `unwritableRetryMillis`, until a write works again.
 */
export class IngestPipeline implements Ingestor {
  private active: ReadingBuffer;
  private spare: ReadingBuffer;
  /** A chunk whose flush failed, retried before anything newer. */
  private pending: ReadingBuffer | undefined;
  private chain: Promise<void> = Promise.resolve();
  private busy = false;
  private accepting = true;
  private stopped: Promise<void> | undefined;
  private timers: NodeJS.Timeout[] = [];
  /** The last log write error while writes fail; undefined while they work. */
  private logError: unknown;
  private lastLogTryMillis = 0;
  private readonly episodes: FailureEpisodes;
  private readonly counters: PipelineStats = {
    accepted: 0,
    stored: 0,
    duplicates: 0,
    buffered: 0,
    walBacklogBytes: 0,
    flushes: 0,
    lastFlushMillis: 0,
    failures: 0,
    logWriteFailures: 0,
    logWritable: true,
  };

  constructor(
    private readonly store: ReadingStore,
    private readonly log: IngestLog,
    private readonly options: PipelineOptions,
  ) {
    this.active = new ReadingBuffer(options.maxBufferedReadings);
    this.spare = new ReadingBuffer(options.maxBufferedReadings);
    this.episodes = new FailureEpisodes(options.log);
  }

  /** Starts the background loops. */
  start(): void {
    const every = (millis: number, task: () => void) => {
      const timer = setInterval(task, millis);
      timer.unref();
      this.timers.push(timer);
    };
    every(this.options.flushIntervalMillis, () => this.scheduleFlush());
    every(this.options.checkpointIntervalMillis, () =>
      this.background('checkpoint', () => this.checkpoint()),
    );
    const retain = () => this.background('retention', () => this.retain());
    const first = setTimeout(
      retain,
      Math.min(this.options.firstRetentionMillis, this.options.retentionIntervalMillis),
    );
    first.unref();
    this.timers.push(first);
    every(this.options.retentionIntervalMillis, retain);
  }

  keyOf(sensor: string): number {
    return this.store.sensorKey(sensor);
  }

  ingest(readings: readonly Reading[], keys?: Int32Array): Promise<IngestResult> {
    const given = keys !== undefined && keys.length === readings.length ? keys : undefined;
    return this.#store(readings.length, (buffer, defines) => {
      for (let index = 0; index < readings.length; index++) {
        const reading = readings[index] as Reading;
        const key = given === undefined ? this.store.sensorKey(reading.sensor) : (given[index] as number);
        if (this.log.needsDefine(key)) defines.push([key, reading.sensor]);
        buffer.push(key, reading.ts, reading.value);
      }
    });
  }

  ingestColumns(columns: ReadingColumns, keys: Int32Array): Promise<IngestResult> {
    assertKeyCount(keys, columns.length);
    const { sensors, timestamps, values } = columns;
    return this.#store(columns.length, (buffer, defines) => {
      for (let index = 0; index < keys.length; index++) {
        const key = keys[index] as number;
        if (this.log.needsDefine(key)) defines.push([key, sensors[index] as string]);
        buffer.push(key, timestamps[index] as number, values[index] as number);
      }
    });
  }

  /**
   * Puts `count` readings into the buffer (`fill` copies them in, naming the keys the log has not
   * defined yet) and the log; resolves once the log is synced.
   */
  async #store(
    count: number,
    fill: (buffer: ReadingBuffer, defines: [number, string][]) => void,
  ): Promise<IngestResult> {
    if (!this.accepting) return { ok: false, reason: 'shutting-down' };
    if (count === 0) return { ok: true, stored: 0 };
    if (this.logError !== undefined) {
      const now = performance.now();
      if (now - this.lastLogTryMillis < this.options.unwritableRetryMillis) {
        this.counters.logWriteFailures += 1;
        this.episodes.failed(LOG_WRITE, this.logError, '');
        throw new StorageUnavailableError(this.logError);
      }
      this.lastLogTryMillis = now;
    }
    if (count > this.active.free || this.log.backlogBytes > this.options.maxWalBacklogBytes) {
      this.scheduleFlush();
      return { ok: false, reason: 'overloaded', retryAfterSeconds: 1 };
    }
    const buffer = this.active;
    const start = buffer.length;
    const defines: [number, string][] = [];
    fill(buffer, defines);
    const end = buffer.length;
    const durable = this.log.append({
      defines,
      keys: buffer.keys.subarray(start, end),
      timestamps: buffer.timestamps.subarray(start, end),
      values: buffer.values.subarray(start, end),
      length: end - start,
    });
    this.counters.accepted += count;
    if (buffer.length >= this.options.flushThresholdReadings) this.scheduleFlush();
    try {
      await durable;
    } catch (error) {
      throw this.logWriteFailed(error);
    }
    if (this.logError !== undefined) this.logWriteWorks();
    return { ok: true, stored: count };
  }

  /** Stops acknowledging new calls (they get `shutting-down`); calls already accepted finish. */
  stopAccepting(): void {
    this.accepting = false;
  }

  /** Whether log writes work (false from a failed write until one works again). */
  get logWritable(): boolean {
    return this.logError === undefined;
  }

  private logWriteFailed(error: unknown): StorageUnavailableError {
    this.counters.logWriteFailures += 1;
    this.logError = error;
    this.lastLogTryMillis = performance.now();
    this.episodes.failed(LOG_WRITE, error, 'readings are refused until a write works again');
    return new StorageUnavailableError(error);
  }

  private logWriteWorks(): void {
    this.logError = undefined;
    this.episodes.succeeded(LOG_WRITE);
    // Readings acknowledged before the outage may sit in a segment that is gone (deleted while
    // open): a checkpoint puts them into the store at once instead of within the minute.
    if (this.accepting) this.background('checkpoint', () => this.checkpoint());
  }

  /**
   * Feeds readings recovered from the log into the buffer (no new log record), flushing as it
   * fills. Readings whose key `idOf` cannot name are skipped; resolves with their number.
   */
  async replay(chunk: KeyedReadings, idOf: (walKey: number) => string | undefined): Promise<number> {
    const translated = new Map<number, number>();
    let skipped = 0;
    for (let row = 0; row < chunk.length; row++) {
      const walKey = chunk.keys[row] as number;
      let key = translated.get(walKey);
      if (key === undefined) {
        const id = idOf(walKey);
        key = id === undefined ? -1 : this.store.sensorKey(id);
        translated.set(walKey, key);
      }
      if (key < 0) {
        skipped += 1;
        continue;
      }
      if (this.active.free === 0) await this.flushAll();
      this.active.push(key, chunk.timestamps[row] as number, chunk.values[row] as number);
    }
    return skipped;
  }

  private scheduleFlush(): void {
    if (this.busy) return;
    this.background('flush', () => this.flushOnce());
  }

  /** Runs `task` after every earlier one; its failure is logged once per episode, never thrown. */
  private background(name: string, task: () => Promise<void>): void {
    void this.exclusive(task).then(
      () => this.episodes.succeeded(name),
      (error: unknown) => {
        this.counters.failures += 1;
        this.episodes.failed(name, error, 'retrying');
      },
    );
  }

  /** Runs `task` after every earlier one; the result is the task's own (a failure rejects). */
  private exclusive(task: () => Promise<void>): Promise<void> {
    this.busy = true;
    const run = this.chain.then(task);
    const chained: Promise<void> = run
      .catch(() => undefined)
      .finally(() => {
        if (this.chain === chained) this.busy = false;
      });
    this.chain = chained;
    return run;
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

  /**
   * Stores every reading buffered when the log rotated: a batch enters the buffer in the same turn
   * as its log record, so those are the failed chunk (if any) and the active buffer, whatever came
   * in since. Flushing until the buffer is empty instead chased a steady stream: a checkpoint (and
   * the segments it deletes, and a backup waiting on it) waited for a pause in ingest.
   */
  private async flushCovered(): Promise<void> {
    if (this.pending !== undefined) await this.flushOnce();
    await this.flushOnce();
  }

  private async flushAll(): Promise<void> {
    while (this.pending !== undefined || this.active.length > 0) await this.flushOnce();
  }

  /**
   * Rotates the log, flushes all it covers, checkpoints the store, then deletes the covered
   * segments. If the log cannot rotate, the buffer is still flushed and checkpointed; the
   * segments stay (replaying them is idempotent) and the rotation error is thrown.
   */
  private async checkpoint(): Promise<void> {
    const rotated = await this.log.rotate().then(
      (segment) => ({ ok: true as const, segment }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    await this.flushCovered();
    await this.store.checkpoint();
    if (!rotated.ok) throw rotated.error;
    this.log.removeBefore(rotated.segment);
  }

  private async retain(): Promise<void> {
    await this.store.applyRetention(Date.now(), this.options.retention);
  }

  /** Flushes everything buffered to the store and checkpoints; rejects if that failed. */
  forceFlush(): Promise<void> {
    return this.counted(this.exclusive(() => this.checkpoint()));
  }

  private async counted(run: Promise<void>): Promise<void> {
    try {
      await run;
    } catch (error) {
      this.counters.failures += 1;
      throw error;
    }
  }

  stats(): PipelineStats {
    return {
      ...this.counters,
      buffered: this.active.length + (this.pending?.length ?? 0),
      walBacklogBytes: this.log.backlogBytes,
      logWritable: this.logError === undefined,
    };
  }

  /**
   * Refuses new readings, flushes and checkpoints everything, closes the log. The store stays
   * open. Rejects if the last flush or checkpoint failed (the log is closed regardless).
   */
  shutdown(): Promise<void> {
    this.stopped ??= this.stop();
    return this.stopped;
  }

  private async stop(): Promise<void> {
    this.accepting = false;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    try {
      await this.counted(this.exclusive(() => this.checkpoint()));
    } finally {
      await this.log.close();
    }
  }
}
