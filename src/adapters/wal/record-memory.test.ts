import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordMemory } from './record-memory.ts';

test('memory given back is taken again for a record that fits in it, and not for one that does not', () => {
  const memory = new RecordMemory();
  const first = memory.take(100_000);
  assert.equal(first.length, 100_000);
  memory.give(first);
  assert.equal(memory.spareBytes, first.buffer.byteLength);
  const again = memory.take(90_000);
  assert.equal(again.length, 90_000);
  assert.equal(again.buffer, first.buffer, 'the same memory');
  assert.equal(memory.spareBytes, 0);
  memory.give(again);
  const larger = memory.take(first.buffer.byteLength + 1);
  assert.notEqual(larger.buffer, first.buffer, 'too small to hold it');
  assert.equal(memory.spareBytes, first.buffer.byteLength, 'the small one stays spare');
});

test('memory beyond the spare limit is dropped when given back', () => {
  const memory = new RecordMemory(100_000);
  const blocks = [memory.take(60_000), memory.take(60_000)];
  for (const block of blocks) memory.give(block);
  assert.equal(memory.spareBytes, blocks[0]?.buffer.byteLength);
});
