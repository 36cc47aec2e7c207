import type { ParsedBatch } from '../../core/readings/reading.ts';
import { BatchJoiner, ColumnarBatch } from '../../core/readings/reading-columns.ts';
import type { EdgeIngest, IngestPath } from '../../services/edge/edge-ingest.ts';
import { FailureEpisodes } from '../../services/ingest/failure-episodes.ts';

/** How a message ended: stored durably, or given up on because the server is stopping. */
export type Settled = 'stored' | 'shutting-down';

export interface CoalescerOptions {
  edge: EdgeIngest;
  /** A batch is sent to the store once it holds this many readings, or at the end of the event-loop turn. */
  maxBatchReadings?: number;
  /** Readings accepted but not yet durable above which `admit()` makes callers wait. */
  highWaterReadings?: number;
  /** Longest pause before retrying a batch the store refused as overloaded. */
  maxRetryMillis?: number;
  /** Gets a line when storing starts failing and one when it works again (default: stderr). */
  log?: (line: string) => void;
}

interface Pending {
  /** The messages' readings, in arrival order. */
  joined: BatchJoiner;
  path: IngestPath;
  waiters: { resolve: (settled: Settled) => void; reject: (error: unknown) => void }[];
}

/**
 * Gathers the readings of many small MQTT messages into store-sized batches, one per path (a
 * batch's readings are counted under the path they came by). Each message's
 * promise resolves once its batch is durable; a batch refused as overloaded is retried after
 * the store's Retry-After, so acknowledgements are withheld meanwhile. A batch the store failed
 * to write (e.g. a full disk) rejects its messages' promises with the error: no PUBACK is sent,
 * so the clients send the messages again.
 */
export class Coalescer {
  readonly #edge: EdgeIngest;
  readonly #maxBatch: number;
  readonly #highWater: number;
  readonly #maxRetryMillis: number;
  /** The batch being gathered, by path. */
  readonly #current = new Map<IngestPath, Pending>();
  #outstanding = 0;
  #flushing = new Set<Promise<void>>();
  #roomWaiters: (() => void)[] = [];
  #stopping = false;
  readonly #episodes: FailureEpisodes;

  constructor(options: CoalescerOptions) {
    this.#edge = options.edge;
    this.#maxBatch = options.maxBatchReadings ?? 5_000;
    this.#highWater = options.highWaterReadings ?? 200_000;
    this.#maxRetryMillis = options.maxRetryMillis ?? 1_000;
    this.#episodes = new FailureEpisodes(options.log ?? ((line) => console.error(`urban-brain: ${line}`)));
  }

  /**
   * Adds a message's readings; resolves when they are durable (or the server stops), rejects when
   * the store failed to write them. A rejection nobody waits for is not unhandled.
   */
  add(batch: ParsedBatch, path: IngestPath): Promise<Settled> {
    const current = this.#gather(batch, path);
    const settled = new Promise<Settled>((resolve, reject) => current.waiters.push({ resolve, reject }));
    settled.catch(() => undefined);
    this.#flushWhenFull(current);
    return settled;
  }

  /** Adds the readings of a message nobody waits on (QoS 0): no promise is made for it. */
  put(batch: ParsedBatch, path: IngestPath): void {
    this.#flushWhenFull(this.#gather(batch, path));
  }

  /** Whether fewer than the high-water mark of readings are in flight (`admit()` would resolve at once). */
  get hasRoom(): boolean {
    return this.#outstanding < this.#highWater || this.#stopping;
  }

  #gather(batch: ParsedBatch, path: IngestPath): Pending {
    let current = this.#current.get(path);
    if (current === undefined) {
      const pending: Pending = { joined: new BatchJoiner(), path, waiters: [] };
      this.#current.set(path, pending);
      setImmediate(() => this.#flush(pending));
      current = pending;
    }
    this.#outstanding += current.joined.add(batch);
    return current;
  }

  #flushWhenFull(current: Pending): void {
    if (current.joined.readings >= this.#maxBatch) this.#flush(current);
  }

  /** Resolves at once while fewer than the high-water mark of readings are in flight, else when room frees. */
  admit(): Promise<void> {
    if (this.hasRoom) return Promise.resolve();
    return new Promise((resolve) => this.#roomWaiters.push(resolve));
  }

  #flush(pending: Pending): void {
    if (this.#current.get(pending.path) !== pending) return;
    this.#current.delete(pending.path);
    const run = this.#store(pending).finally(() => this.#flushing.delete(run));
    this.#flushing.add(run);
  }

  async #store(pending: Pending): Promise<void> {
    const size = pending.joined.readings + pending.joined.rejected.length;
    let batch = pending.joined.batch();
    let settled: Settled = 'shutting-down';
    let failure: { error: unknown } | undefined;
    for (;;) {
      let outcome;
      try {
        outcome = await this.#edge.accept(batch, pending.path);
      } catch (error) {
        failure = { error };
        this.#episodes.failed('of MQTT readings', error, 'PUBACKs are withheld, so clients send them again');
        break;
      }
      if (outcome.ok) {
        settled = 'stored';
        this.#episodes.succeeded('of MQTT readings');
        break;
      }
      if (this.#stopping || outcome.reason === 'shutting-down') break;
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(this.#maxRetryMillis, outcome.retryAfterSeconds * 1000)),
      );
      // Sent again without its rejections: they were counted once.
      batch =
        batch.columns === undefined
          ? { readings: batch.readings, rejected: [] }
          : new ColumnarBatch(batch.columns, []);
    }
    this.#outstanding -= size;
    for (const waiter of pending.waiters) {
      if (failure === undefined) waiter.resolve(settled);
      else waiter.reject(failure.error);
    }
    if (this.#outstanding < this.#highWater) for (const resolve of this.#roomWaiters.splice(0)) resolve();
  }

  /** Sends what is gathered and waits for every batch in flight. */
  async drain(): Promise<void> {
    for (const pending of [...this.#current.values()]) this.#flush(pending);
    while (this.#flushing.size > 0) await Promise.all([...this.#flushing]);
  }

  /** Stops retrying overloaded batches: their messages settle as `shutting-down`. */
  stop(): void {
    this.#stopping = true;
    for (const resolve of this.#roomWaiters.splice(0)) resolve();
  }
}
