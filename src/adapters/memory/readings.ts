import type { Reading } from '../../core/readings/reading.ts';
import type { IngestResult, Ingestor } from '../../ports/ingest.ts';
import { MemoryReadingStore } from './reading-store.ts';

export interface MemoryReadingsOptions {
  /** Readings held before `ingest` answers overloaded; unbounded when absent. */
  capacityReadings?: number;
  retryAfterSeconds?: number;
}

/**
 * The ingest side of the in-memory store: appends straight into a `MemoryReadingStore` (idempotent
 * by sensor and ts, first value wins), for tests and `--memory`, never durable. Read it through
 * `ReadingQueryService` over `store`, as the real store is read. `hold()` makes `ingest` wait until
 * `release()`, to test that acknowledgements wait for the store.
 */
export class MemoryReadings implements Ingestor {
  readonly store = new MemoryReadingStore();
  readonly #options: MemoryReadingsOptions;
  #size = 0;
  #closed = false;
  #gate: Promise<void> | undefined;
  #open: (() => void) | undefined;

  constructor(options: MemoryReadingsOptions = {}) {
    this.#options = options;
  }

  async ingest(readings: readonly Reading[]): Promise<IngestResult> {
    if (this.#closed) return { ok: false, reason: 'shutting-down' };
    const capacity = this.#options.capacityReadings;
    if (capacity !== undefined && this.#size + readings.length > capacity) {
      return { ok: false, reason: 'overloaded', retryAfterSeconds: this.#options.retryAfterSeconds ?? 1 };
    }
    if (this.#gate !== undefined) await this.#gate;
    const length = readings.length;
    const chunk = {
      keys: new Uint32Array(length),
      timestamps: new Float64Array(length),
      values: new Float64Array(length),
      length,
    };
    readings.forEach(({ sensor, ts, value }, row) => {
      chunk.keys[row] = this.store.sensorKey(sensor);
      chunk.timestamps[row] = ts;
      chunk.values[row] = value;
    });
    this.#size += (await this.store.append(chunk)).stored;
    return { ok: true, stored: length };
  }

  hold(): void {
    this.#gate ??= new Promise((resolve) => (this.#open = resolve));
  }

  release(): void {
    this.#open?.();
    this.#gate = undefined;
  }

  /** Readings stored. */
  get size(): number {
    return this.#size;
  }

  /** All stored readings of a sensor, by time. */
  readingsOf(sensor: string): Reading[] {
    return this.store.readingsOf(sensor);
  }

  async shutdown(): Promise<void> {
    this.#closed = true;
    this.release();
  }
}
