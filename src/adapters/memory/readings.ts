import type { Reading } from '../../core/readings/reading.ts';
import type { IngestResult, Ingestor } from '../../ports/ingest.ts';
import type { Aggregation, LatestValue, ReadingQueries, SeriesPoint } from '../../ports/reading-queries.ts';

export interface MemoryReadingsOptions {
  /** Readings held before `ingest` answers overloaded; unbounded when absent. */
  capacityReadings?: number;
  retryAfterSeconds?: number;
}

function aggregate(values: number[], aggregation: Aggregation): number {
  switch (aggregation) {
    case 'avg':
      return values.reduce((sum, v) => sum + v, 0) / values.length;
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
    case 'count':
      return values.length;
    case 'last':
      return values[values.length - 1] ?? Number.NaN;
  }
}

/**
 * Readings in memory, idempotent by (sensor, ts): for tests and the demo, never durable.
 * `hold()` makes `ingest` wait until `release()`, to test that acknowledgements wait for the store.
 */
export class MemoryReadings implements Ingestor, ReadingQueries {
  readonly #bySensor = new Map<string, Map<number, number>>();
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
    for (const { sensor, ts, value } of readings) {
      let series = this.#bySensor.get(sensor);
      if (series === undefined) {
        series = new Map();
        this.#bySensor.set(sensor, series);
      }
      if (!series.has(ts)) this.#size += 1;
      series.set(ts, value);
    }
    return { ok: true, stored: readings.length };
  }

  hold(): void {
    this.#gate ??= new Promise((resolve) => (this.#open = resolve));
  }

  release(): void {
    this.#open?.();
    this.#gate = undefined;
  }

  get size(): number {
    return this.#size;
  }

  /** All stored readings of a sensor, by time. */
  readingsOf(sensor: string): Reading[] {
    const series = this.#bySensor.get(sensor) ?? new Map<number, number>();
    return [...series].map(([ts, value]) => ({ sensor, ts, value })).sort((a, b) => a.ts - b.ts);
  }

  async series(
    sensor: string,
    fromMillis: number,
    toMillis: number,
    stepMillis: number,
    aggregation: Aggregation,
  ): Promise<SeriesPoint[]> {
    const buckets = new Map<number, number[]>();
    for (const { ts, value } of this.readingsOf(sensor)) {
      if (ts < fromMillis || ts >= toMillis) continue;
      const bucket = Math.floor(ts / stepMillis) * stepMillis;
      const values = buckets.get(bucket) ?? [];
      values.push(value);
      buckets.set(bucket, values);
    }
    return [...buckets].map(([ts, values]) => ({ ts, value: aggregate(values, aggregation) }));
  }

  async latest(sensors: readonly string[]): Promise<Map<string, LatestValue>> {
    const result = new Map<string, LatestValue>();
    for (const sensor of sensors) {
      const last = this.readingsOf(sensor).at(-1);
      if (last !== undefined) result.set(sensor, { ts: last.ts, value: last.value });
    }
    return result;
  }

  async shutdown(): Promise<void> {
    this.#closed = true;
    this.release();
  }
}
