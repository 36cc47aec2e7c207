import type { Reading } from './reading.ts';
import { readingsOf, type ReadingColumns } from './reading-columns.ts';

/**
 * Readings as columns with each one's store key: how the edge publishes a batch it collected so,
 * making no object per reading. Consumers that want objects iterate it (or `readingArray`); the
 * detectors read the columns. Nobody may change the columns: every subscriber reads the same ones.
 */
export class KeyedColumnBatch implements Iterable<Reading> {
  /** `sensorKeys` must be as long as the columns. */
  constructor(
    readonly columns: ReadingColumns,
    readonly sensorKeys: Int32Array,
  ) {
    assertKeyCount(sensorKeys, columns.length);
  }

  get length(): number {
    return this.columns.length;
  }

  [Symbol.iterator](): Iterator<Reading> {
    return readingsOf(this.columns)[Symbol.iterator]();
  }
}

/** Throws unless there is one sensor key per reading. */
export function assertKeyCount(keys: Int32Array, readings: number): void {
  if (keys.length !== readings) throw new RangeError(`${keys.length} sensor keys for ${readings} readings`);
}

/**
 * A batch of readings as it leaves the ingest edge: objects, or columns (`KeyedColumnBatch`).
 * `sensorKeys`, when present, holds the store's dense key of each reading's sensor (`keys[i]` is
 * that of reading `i`): consumers in the same process map keys to their own rows with an array
 * index instead of hashing every id again. Keys are local to the process: a bus that carries
 * batches elsewhere leaves them behind, and a consumer that reorders or filters a batch drops them.
 */
export type ReadingBatch = (readonly Reading[] & { readonly sensorKeys?: Int32Array }) | KeyedColumnBatch;

/**
 * `readings` with their sensors' store keys attached (not enumerable: a batch serialised or
 * logged is the plain array). `keys` must be as long as `readings`.
 */
export function withSensorKeys(readings: readonly Reading[], keys: Int32Array): ReadingBatch {
  assertKeyCount(keys, readings.length);
  return Object.defineProperty(readings, 'sensorKeys', { value: keys, enumerable: false });
}

/** The batch's sensor keys, when it has one per reading. */
export function sensorKeysOf(batch: ReadingBatch): Int32Array | undefined {
  const keys = batch.sensorKeys;
  return keys !== undefined && keys.length === batch.length ? keys : undefined;
}

/** The batch's readings as objects (made for a batch of columns). */
export function readingArray(batch: ReadingBatch): readonly Reading[] {
  return batch instanceof KeyedColumnBatch ? readingsOf(batch.columns) : batch;
}

/**
 * The batch's readings whose sensor `keep` accepts, as objects: for a batch of columns, made only
 * for those (a subscriber that wants a few sensors' readings pays no object for the others).
 */
export function readingsWhere(batch: ReadingBatch, keep: (sensor: string) => boolean): Reading[] {
  const kept: Reading[] = [];
  if (batch instanceof KeyedColumnBatch) {
    const { sensors, timestamps, values } = batch.columns;
    for (let index = 0; index < batch.length; index++) {
      const sensor = sensors[index] as string;
      if (keep(sensor))
        kept.push({ sensor, ts: timestamps[index] as number, value: values[index] as number });
    }
  } else for (const reading of batch) if (keep(reading.sensor)) kept.push(reading);
  return kept;
}

/** The sensor id of reading `index`. */
export function sensorAt(batch: ReadingBatch, index: number): string {
  return batch instanceof KeyedColumnBatch
    ? (batch.columns.sensors[index] as string)
    : (batch[index] as Reading).sensor;
}

/** The newest timestamp of the batch (−∞ when empty). */
export function newestTimestamp(batch: ReadingBatch): number {
  let newest = Number.NEGATIVE_INFINITY;
  if (batch instanceof KeyedColumnBatch) {
    const timestamps = batch.columns.timestamps;
    for (let index = 0; index < timestamps.length; index++)
      if ((timestamps[index] as number) > newest) newest = timestamps[index] as number;
  } else for (const reading of batch) if (reading.ts > newest) newest = reading.ts;
  return newest;
}

/**
 * The batch's timestamps and values as two columns of their own (the form a batch is scored and
 * sent in; the caller may transfer their buffers).
 */
export function numberColumns(batch: ReadingBatch): {
  timestamps: Float64Array;
  values: Float64Array;
} {
  if (batch instanceof KeyedColumnBatch)
    return { timestamps: batch.columns.timestamps.slice(), values: batch.columns.values.slice() };
  const timestamps = new Float64Array(batch.length);
  const values = new Float64Array(batch.length);
  for (let index = 0; index < batch.length; index++) {
    const reading = batch[index] as Reading;
    timestamps[index] = reading.ts;
    values[index] = reading.value;
  }
  return { timestamps, values };
}
