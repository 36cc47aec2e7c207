import type { Reading } from '../../core/readings/reading.ts';

/**
 * Readings as ClickHouse `RowBinary` rows of `(sensor String, ts UInt64, value Float64)`: per row
 * the sensor's UTF-8 length as a LEB128 varint and its bytes, then ts and value little-endian.
 * Cheaper to write and for ClickHouse to read than JSON, and values travel bit for bit.
 */
export function encodeRowBinary(readings: readonly Reading[]): Buffer {
  let size = 0;
  const lengths = new Uint32Array(readings.length);
  for (let index = 0; index < readings.length; index += 1) {
    const length = Buffer.byteLength(readings[index]!.sensor, 'utf8');
    lengths[index] = length;
    size += varintBytes(length) + length + 16;
  }
  const buffer = Buffer.allocUnsafe(size);
  let offset = 0;
  for (let index = 0; index < readings.length; index += 1) {
    const reading = readings[index]!;
    let length = lengths[index]!;
    while (length >= 0x80) {
      buffer[offset++] = (length & 0x7f) | 0x80;
      length >>>= 7;
    }
    buffer[offset++] = length;
    offset += buffer.write(reading.sensor, offset, 'utf8');
    // ts is a non-negative integer below 2^53: written as two 32-bit halves.
    buffer.writeUInt32LE(reading.ts % 0x1_0000_0000, offset);
    buffer.writeUInt32LE(Math.floor(reading.ts / 0x1_0000_0000), offset + 4);
    buffer.writeDoubleLE(reading.value, offset + 8);
    offset += 16;
  }
  return buffer;
}

function varintBytes(value: number): number {
  let bytes = 1;
  while (value >= 0x80) {
    value >>>= 7;
    bytes += 1;
  }
  return bytes;
}
