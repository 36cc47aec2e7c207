import type { Reading } from '../../core/readings/reading.ts';
import type { DetectorState } from '../../ports/maintenance.ts';

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

export function toColumns(readings: readonly Reading[]): ReadingColumns {
  const timestamps = new Float64Array(readings.length);
  const values = new Float64Array(readings.length);
  const sensors: string[] = new Array<string>(readings.length);
  for (let index = 0; index < readings.length; index++) {
    const reading = readings[index] as Reading;
    sensors[index] = reading.sensor;
    timestamps[index] = reading.ts;
    values[index] = reading.value;
  }
  return { sensors: sensors.join('\n'), timestamps, values };
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
