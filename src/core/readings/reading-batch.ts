import type { Reading } from './reading.ts';

/**
 * A batch of readings as it leaves the ingest edge. `sensorKeys`, when present, holds the store's
 * dense key of each reading's sensor (`keys[i]` is that of `readings[i]`): consumers in the same
 * process map keys to their own rows with an array index instead of hashing every id again. Keys
 * are local to the process: a bus that carries batches elsewhere leaves them behind, and a
 * consumer that reorders or filters a batch drops them.
 */
export type ReadingBatch = readonly Reading[] & { readonly sensorKeys?: Int32Array };

/**
 * `readings` with their sensors' store keys attached (not enumerable: a batch serialised or
 * logged is the plain array). `keys` must be as long as `readings`.
 */
export function withSensorKeys(readings: readonly Reading[], keys: Int32Array): ReadingBatch {
  if (keys.length !== readings.length) {
    throw new RangeError(`${keys.length} sensor keys for ${readings.length} readings`);
  }
  return Object.defineProperty(readings, 'sensorKeys', { value: keys, enumerable: false });
}

/** The batch's sensor keys, when it has one per reading. */
export function sensorKeysOf(batch: ReadingBatch): Int32Array | undefined {
  const keys = batch.sensorKeys;
  return keys !== undefined && keys.length === batch.length ? keys : undefined;
}

/** The batch's timestamps and values as two columns (the form a batch is scored and sent in). */
export function numberColumns(readings: readonly Reading[]): {
  timestamps: Float64Array;
  values: Float64Array;
} {
  const timestamps = new Float64Array(readings.length);
  const values = new Float64Array(readings.length);
  for (let index = 0; index < readings.length; index++) {
    const reading = readings[index] as Reading;
    timestamps[index] = reading.ts;
    values[index] = reading.value;
  }
  return { timestamps, values };
}
