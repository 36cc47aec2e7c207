import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Reader, Writer } from './storage.ts';

void test('writes and reads back typed TraCI values, compounds included', () => {
  const written = new Writer()
    .typedInt(-7)
    .typedDouble(2.5)
    .typedString('road_1_1_0')
    .typedStringList(['a', 'bé'])
    .compound(2)
    .typedInt(1)
    .typedString('x');
  const reader = new Reader(written.toBuffer());
  assert.equal(reader.typed(), -7);
  assert.equal(reader.typed(), 2.5);
  assert.equal(reader.typed(), 'road_1_1_0');
  assert.deepEqual(reader.typed(), ['a', 'bé']);
  assert.deepEqual(reader.typed(), [1, 'x']);
  assert.equal(reader.remaining, 0);
});

void test('encodes numbers big-endian as the protocol requires', () => {
  assert.deepEqual([...new Writer().int(258).toBuffer()], [0, 0, 1, 2]);
});

void test('reads one-byte and extended command lengths', () => {
  assert.equal(new Reader(Buffer.from([12])).commandLength(), 12);
  assert.equal(new Reader(Buffer.from([0, 0, 0, 1, 4])).commandLength(), 260);
});

void test('rejects a truncated message instead of reading past its end', () => {
  assert.throws(() => new Reader(Buffer.from([0, 0, 0, 9, 65])).string(), /truncated/);
});
