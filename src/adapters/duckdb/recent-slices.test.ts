import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockKeys, recentSlices, sliceCondition } from './recent-slices.ts';

const block = (index: number, rows: number, first = 0, last = rows - 1) => ({
  block: index,
  rows,
  rowIds: { first, last },
});

test('blocks of keys are joined into slices of at most maxRows readings, in key order', () => {
  const slices = recentSlices([block(0, 400), block(1, 500), block(3, 200), block(4, 700)], 1_000);
  assert.deepEqual(slices, [
    { fromKey: 0, toKey: 2 * blockKeys },
    // Block 2 has no readings; the slice spans it.
    { fromKey: 3 * blockKeys, toKey: 5 * blockKeys },
  ]);
});

test('a block over maxRows on its own is cut by row id into parts that cover its row ids once', () => {
  const slices = recentSlices([block(0, 100), block(1, 2_500, 10, 3_009), block(2, 50)], 1_000);
  assert.deepEqual(slices, [
    { fromKey: 0, toKey: blockKeys },
    { fromKey: blockKeys, toKey: 2 * blockKeys, rowIds: { from: 10, to: 1_010 } },
    { fromKey: blockKeys, toKey: 2 * blockKeys, rowIds: { from: 1_010, to: 2_010 } },
    { fromKey: blockKeys, toKey: 2 * blockKeys, rowIds: { from: 2_010, to: 3_010 } },
    { fromKey: 2 * blockKeys, toKey: 3 * blockKeys },
  ]);
  assert.equal(
    sliceCondition(slices[1]!),
    `sensor >= ${blockKeys} AND sensor < ${2 * blockKeys} AND rowid >= 10 AND rowid < 1010`,
  );
});

test('without row ids a block over maxRows is a slice of its own (a compaction merges whole buckets)', () => {
  const blocks = [
    { block: 0, rows: 300 },
    { block: 1, rows: 2_500 },
    { block: 2, rows: 300 },
    { block: 3, rows: 300 },
  ];
  assert.deepEqual(recentSlices(blocks, 1_000), [
    { fromKey: 0, toKey: blockKeys },
    { fromKey: blockKeys, toKey: 2 * blockKeys },
    { fromKey: 2 * blockKeys, toKey: 4 * blockKeys },
  ]);
  assert.equal(sliceCondition({ fromKey: 0, toKey: 5 }, 't'), 't.sensor >= 0 AND t.sensor < 5');
});

test('no readings, no slices; a slice size below one is refused', () => {
  assert.deepEqual(recentSlices([], 10), []);
  assert.throws(() => recentSlices([block(0, 1)], 0), /maxRows must be >= 1/);
});
