import type { Reading } from '../../core/readings/reading.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** One JetStream message: readings of one shard in columns (sensor ids, epoch ms, values), as JSON. */
export function encodeReadings(readings: readonly Reading[]): Uint8Array {
  const sensors: string[] = new Array<string>(readings.length);
  const timestamps: number[] = new Array<number>(readings.length);
  const values: number[] = new Array<number>(readings.length);
  for (let index = 0; index < readings.length; index += 1) {
    const reading = readings[index]!;
    sensors[index] = reading.sensor;
    timestamps[index] = reading.ts;
    values[index] = reading.value;
  }
  return encoder.encode(JSON.stringify({ s: sensors, t: timestamps, v: values }));
}

/** The readings of a message written by `encodeReadings`; throws on anything else (a bug upstream). */
export function decodeReadings(data: Uint8Array): Reading[] {
  const parsed = JSON.parse(decoder.decode(data)) as { s: string[]; t: number[]; v: number[] };
  const { s, t, v } = parsed;
  if (
    !Array.isArray(s) ||
    !Array.isArray(t) ||
    !Array.isArray(v) ||
    s.length !== t.length ||
    t.length !== v.length
  )
    throw new TypeError('not a readings message');
  const readings: Reading[] = new Array<Reading>(s.length);
  for (let index = 0; index < s.length; index += 1)
    readings[index] = { sensor: s[index]!, ts: t[index]!, value: v[index]! };
  return readings;
}
