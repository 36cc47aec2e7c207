import { test } from 'node:test';
import assert from 'node:assert/strict';
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
