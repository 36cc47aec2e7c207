import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeRowBinary } from './row-binary.ts';

test('writes each row as varint-prefixed UTF-8 sensor, UInt64 ts and Float64 value, little-endian', () => {
  const long = 'é'.repeat(100); // 200 bytes: a two-byte length prefix
  const bytes = encodeRowBinary([
    { sensor: 'ab', ts: 2 ** 40 + 3, value: 0.5 },
    { sensor: long, ts: 7, value: -0 },
  ]);
  assert.equal(bytes[0], 2);
  assert.equal(bytes.toString('utf8', 1, 3), 'ab');
  assert.equal(bytes.readBigUInt64LE(3), 2n ** 40n + 3n);
  assert.equal(bytes.readDoubleLE(11), 0.5);
  assert.deepEqual([bytes[19], bytes[20]], [(200 & 0x7f) | 0x80, 1]);
  assert.equal(bytes.toString('utf8', 21, 221), long);
  assert.equal(bytes.readBigUInt64LE(221), 7n);
  assert.ok(Object.is(bytes.readDoubleLE(229), -0));
  assert.equal(bytes.length, 237);
});

/** The format written the plain way: for comparison with the one-pass encoder. */
function reference(readings: readonly { sensor: string; ts: number; value: number }[]): Buffer {
  const rows = readings.map((reading) => {
    const id = Buffer.from(reading.sensor, 'utf8');
    const prefix: number[] = [];
    let length = id.length;
    while (length >= 0x80) {
      prefix.push((length & 0x7f) | 0x80);
      length >>>= 7;
    }
    prefix.push(length);
    const numbers = Buffer.alloc(16);
    numbers.writeBigUInt64LE(BigInt(reading.ts));
    numbers.writeDoubleLE(reading.value, 8);
    return Buffer.concat([Buffer.from(prefix), id, numbers]);
  });
  return Buffer.concat(rows);
}

test('ASCII, long, non-ASCII and astral ids encode as the plain UTF-8 encoding does', () => {
  const readings = [
    { sensor: 'x'.repeat(127), ts: 1, value: 1 },
    { sensor: 'y'.repeat(128), ts: 2, value: 2 },
    { sensor: 'pump-7/température', ts: 3, value: 3 },
    { sensor: 'ab😀c', ts: 4, value: Number.NaN },
    { sensor: 'é'.repeat(300), ts: 2 ** 52, value: -1e300 },
  ];
  assert.ok(encodeRowBinary(readings).equals(reference(readings)));
});

test('any ids, timestamps and values encode as the plain UTF-8 encoding does', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          sensor: fc.string({ unit: 'grapheme', maxLength: 200 }),
          ts: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
          value: fc.double(),
        }),
        { maxLength: 20 },
      ),
      (readings) => encodeRowBinary(readings).equals(reference(readings)),
    ),
  );
});
