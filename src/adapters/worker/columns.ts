import { numberColumns, readingArray, type ReadingBatch } from '../../core/readings/reading-batch.ts';
import type { DetectorState } from '../../ports/maintenance.ts';
import type { KeyNames } from '../../services/detection/named-keys.ts';

/**
 * Batches cross the thread boundary as columns: sensor ids joined by a newline (ids never hold
 * control characters: the ingest edge refuses them) and two number columns whose buffers are
 * transferred, not copied. One string and two buffers clone far faster than thousands of objects.
 */
export interface ReadingColumns {
  sensors: string;
  timestamps: Float64Array;
  values: Float64Array;
}

/**
 * A batch whose sensors go as store keys (see `ReadingBatch`): `sensors` joins the ids of
 * `namedKeys` only, the keys met for the first time, so most batches carry no id at all.
 */
export interface KeyedColumns {
  keys: Int32Array;
  namedKeys: Int32Array;
  sensors: string;
  timestamps: Float64Array;
  values: Float64Array;
}

export function toKeyedColumns(readings: ReadingBatch, keys: Int32Array, names: KeyNames): KeyedColumns {
  // A copy: the batch's own keys stay usable by its other readers once these buffers are transferred.
  return {
    keys: keys.slice(),
    namedKeys: names.keys,
    sensors: names.ids.join('\n'),
    ...numberColumns(readings),
  };
}

/** The buffers of keyed columns, to transfer with them. */
export function keyedBuffers(columns: KeyedColumns): ArrayBuffer[] {
  return [columns.keys, columns.namedKeys, columns.timestamps, columns.values].map(
    (array) => array.buffer as ArrayBuffer,
  );
}

export function toColumns(readings: ReadingBatch): ReadingColumns {
  return {
    sensors: readingArray(readings)
      .map((reading) => reading.sensor)
      .join('\n'),
    ...numberColumns(readings),
  };
}

export function splitSensors(joined: string): string[] {
  return joined === '' ? [] : joined.split('\n');
}

/** Detector states packed into one buffer (a view into a shared slab would clone the whole slab). */
export interface PackedStates {
  sensors: string;
  lastTs: Float64Array;
  /** NaN for "never alerted". */
  lastAlertAt: Float64Array;
  /** Start of each state in `bytes`, plus the end of the last one. */
  offsets: Uint32Array;
  bytes: Uint8Array;
}

export function packStates(states: readonly DetectorState[]): PackedStates {
  const offsets = new Uint32Array(states.length + 1);
  let total = 0;
  for (let index = 0; index < states.length; index++) {
    offsets[index] = total;
    total += (states[index] as DetectorState).state.byteLength;
  }
  offsets[states.length] = total;
  const bytes = new Uint8Array(total);
  const lastTs = new Float64Array(states.length);
  const lastAlertAt = new Float64Array(states.length);
  states.forEach((saved, index) => {
    bytes.set(saved.state, offsets[index]);
    lastTs[index] = saved.lastTs;
    lastAlertAt[index] = saved.lastAlertAt ?? Number.NaN;
  });
  return { sensors: states.map((saved) => saved.sensor).join('\n'), lastTs, lastAlertAt, offsets, bytes };
}

export function unpackStates(packed: PackedStates): DetectorState[] {
  return splitSensors(packed.sensors).map((sensor, index) => {
    const alertAt = packed.lastAlertAt[index] as number;
    return {
      sensor,
      state: packed.bytes.subarray(packed.offsets[index], packed.offsets[index + 1]),
      lastTs: packed.lastTs[index] as number,
      lastAlertAt: Number.isNaN(alertAt) ? null : alertAt,
    };
  });
}

/** The buffers of packed states, to transfer with them. */
export function packedBuffers(packed: PackedStates): ArrayBuffer[] {
  return [packed.lastTs, packed.lastAlertAt, packed.offsets, packed.bytes].map(
    (array) => array.buffer as ArrayBuffer,
  );
}
