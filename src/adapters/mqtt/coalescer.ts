import type { ParsedBatch } from '../../core/readings/reading.ts';
import type { EdgeIngest } from '../../services/edge/edge-ingest.ts';

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
}

interface Pending {
  batch: ParsedBatch;
  waiters: ((settled: Settled) => void)[];
}

/**
 * Gathers the readings of many small MQTT messages into store-sized batches. Each message's
 * promise resolves once its batch is durable; a batch refused as overloaded is retried after
 * the store's Retry-After, so acknowledgements are withheld meanwhile.
 */
export class Coalescer {
  readonly #edge: EdgeIngest;
  readonly #maxBatch: number;
  readonly #highWater: number;
  readonly #maxRetryMillis: number;
  #current: Pending | undefined;
  #outstanding = 0;
  #flushing = new Set<Promise<void>>();
  #roomWaiters: (() => void)[] = [];
  #stopping = false;

  constructor(options: CoalescerOptions) {
    this.#edge = options.edge;
    this.#maxBatch = options.maxBatchReadings ?? 5_000;
    this.#highWater = options.highWaterReadings ?? 200_000;
    this.#maxRetryMillis = options.maxRetryMillis ?? 1_000;
  }

  /** Adds a message's readings; resolves when they are durable (or the server stops). */
  add(batch: ParsedBatch): Promise<Settled> {
    const size = batch.readings.length + batch.rejected.length;
    let current = this.#current;
    if (current === undefined) {
      current = { batch: { readings: [], rejected: [] }, waiters: [] };
      this.#current = current;
      setImmediate(() => this.#flush(current!));
    }
    for (const reading of batch.readings) current.batch.readings.push(reading);
    for (const rejection of batch.rejected) current.batch.rejected.push(rejection);
    this.#outstanding += size;
    const settled = new Promise<Settled>((resolve) => current.waiters.push(resolve));
    if (current.batch.readings.length >= this.#maxBatch) this.#flush(current);
    return settled;
  }

  /** Resolves at once while fewer than the high-water mark of readings are in flight, else when room frees. */
  admit(): Promise<void> {
    if (this.#outstanding < this.#highWater || this.#stopping) return Promise.resolve();
    return new Promise((resolve) => this.#roomWaiters.push(resolve));
  }

  #flush(pending: Pending): void {
    if (this.#current !== pending) return;
    this.#current = undefined;
    const run = this.#store(pending).finally(() => this.#flushing.delete(run));
    this.#flushing.add(run);
  }

  async #store(pending: Pending): Promise<void> {
    const size = pending.batch.readings.length + pending.batch.rejected.length;
    let settled: Settled = 'shutting-down';
    for (;;) {
      const outcome = await this.#edge.accept(pending.batch).catch(() => undefined);
      if (outcome?.ok === true) {
        settled = 'stored';
        break;
      }
      if (this.#stopping || outcome === undefined || outcome.reason === 'shutting-down') break;
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(this.#maxRetryMillis, outcome.retryAfterSeconds * 1000)),
      );
      pending.batch = { readings: pending.batch.readings, rejected: [] };
    }
    this.#outstanding -= size;
    for (const resolve of pending.waiters) resolve(settled);
    if (this.#outstanding < this.#highWater) for (const resolve of this.#roomWaiters.splice(0)) resolve();
  }

  /** Sends what is gathered and waits for every batch in flight. */
  async drain(): Promise<void> {
    if (this.#current !== undefined) this.#flush(this.#current);
    while (this.#flushing.size > 0) await Promise.all([...this.#flushing]);
  }

  /** Stops retrying overloaded batches: their messages settle as `shutting-down`. */
  stop(): void {
    this.#stopping = true;
    for (const resolve of this.#roomWaiters.splice(0)) resolve();
  }
}
