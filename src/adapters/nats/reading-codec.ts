import type { Reading } from '../../core/readings/reading.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const binaryVersion = 1;
const headBytes = 5;

/**
 * One JetStream message: readings of one shard in columns. Binary (first byte 1): count (u32), epoch
 * ms and values (f64 each), sensor id lengths in UTF-16 units (u16 each), then every id, joined, as
 * UTF-8; all little-endian. Ids that UTF-8 cannot carry exactly (a lone surrogate) or longer than
 * 65,535 units make the message JSON columns instead (first byte `{`), the older form, still read.
 */
export function encodeReadings(readings: readonly Reading[]): Uint8Array {
  const count = readings.length;
  const sensors = new Array<string>(count);
  let longest = 0;
  for (let index = 0; index < count; index += 1) {
    const sensor = readings[index]!.sensor;
    sensors[index] = sensor;
    if (sensor.length > longest) longest = sensor.length;
  }
  const joined = sensors.join('');
  // `isWellFormed` is in Node 20 (ES2024), past the library this project's types target.
  const wellFormed = (joined as string & { isWellFormed(): boolean }).isWellFormed();
  if (longest > 0xffff || !wellFormed) return encodeJson(readings);
  const textOffset = headBytes + count * 18;
  const buffer = Buffer.allocUnsafe(textOffset + Buffer.byteLength(joined, 'utf8'));
  // A DataView: several times cheaper per field than the Buffer write methods.
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  buffer[0] = binaryVersion;
  view.setUint32(1, count, true);
  const valuesOffset = headBytes + count * 8;
  const lengthsOffset = headBytes + count * 16;
  for (let index = 0; index < count; index += 1) {
    const reading = readings[index]!;
    view.setFloat64(headBytes + index * 8, reading.ts, true);
    view.setFloat64(valuesOffset + index * 8, reading.value, true);
    view.setUint16(lengthsOffset + index * 2, sensors[index]!.length, true);
  }
  buffer.write(joined, textOffset, 'utf8');
  return buffer;
}

/** The readings of a message written by `encodeReadings`; throws on anything else (a bug upstream). */
export function decodeReadings(data: Uint8Array): Reading[] {
  if (data[0] !== binaryVersion) return decodeJson(data);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const count = data.byteLength >= headBytes ? view.getUint32(1, true) : -1;
  const textOffset = headBytes + count * 18;
  if (count < 0 || textOffset > data.byteLength) throw new TypeError('not a readings message');
  const text = decoder.decode(data.subarray(textOffset));
  const valuesOffset = headBytes + count * 8;
  const lengthsOffset = headBytes + count * 16;
  const readings = new Array<Reading>(count);
  let position = 0;
  for (let index = 0; index < count; index += 1) {
    const length = view.getUint16(lengthsOffset + index * 2, true);
    readings[index] = {
      sensor: text.slice(position, position + length),
      ts: view.getFloat64(headBytes + index * 8, true),
      value: view.getFloat64(valuesOffset + index * 8, true),
    };
    position += length;
  }
  if (position !== text.length) throw new TypeError('not a readings message: sensor ids do not add up');
  return readings;
}

function encodeJson(readings: readonly Reading[]): Uint8Array {
  return encoder.encode(
    JSON.stringify({
      s: readings.map((reading) => reading.sensor),
      t: readings.map((reading) => reading.ts),
      v: readings.map((reading) => reading.value),
    }),
  );
}

function decodeJson(data: Uint8Array): Reading[] {
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
