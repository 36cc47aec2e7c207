import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeReadings, encodeReadings } from './reading-codec.ts';

const reading = fc
  .record({
    sensor: fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }),
    ts: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    value: fc.double({ noNaN: true }),
  })
  .map((drawn) => ({ ...drawn }));

test('every batch of readings comes back exactly, ids of any characters and values bit for bit', () => {
  fc.assert(
    fc.property(fc.array(reading, { maxLength: 50 }), (readings) => {
      assert.deepEqual(decodeReadings(encodeReadings(readings)), readings);
    }),
  );
});

test('well-formed ids travel in the binary form, and a message at any offset of a buffer is read', () => {
  const readings = [
    { sensor: 'pump-7', ts: 1_700_000_000_123, value: -0.25 },
    { sensor: 'Zürich/北-1', ts: 5, value: 1e300 },
  ];
  const data = encodeReadings(readings);
  assert.equal(data[0], 1);
  const shifted = new Uint8Array(data.byteLength + 3);
  shifted.set(data, 3);
  assert.deepEqual(decodeReadings(shifted.subarray(3)), readings);
});

test('an id with a lone surrogate falls back to JSON columns, which are still read', () => {
  const readings = [{ sensor: 'a\ud800b', ts: 1, value: 2 }];
  const data = encodeReadings(readings);
  assert.equal(String.fromCharCode(data[0]!), '{');
  assert.deepEqual(decodeReadings(data), readings);
});

test('a message whose ids do not add up is refused', () => {
  const data = Buffer.from(encodeReadings([{ sensor: 'abc', ts: 1, value: 2 }]));
  assert.throws(() => decodeReadings(data.subarray(0, data.byteLength - 1)), /not a readings message/);
});
