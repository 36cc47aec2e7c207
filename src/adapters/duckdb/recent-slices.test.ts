import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockKeys, recentSlices, sliceCondition, tailBlocks } from './recent-slices.ts';

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

test('a crowded block of the tail is cut by row id no finer than the minute buckets its keys can fill', () => {
  const blocks = tailBlocks([
    // 300,000 readings over 10 minutes: at most 4,096 sensors × 12 buckets, one slice of 100,000.
    [0, 300_000, 0, 299_999, 10 * 60_000],
    // 250,000 readings over 100 minutes: up to 4,096 × 102 groups, so cut in three.
    [1, 250_000, 300_000, 549_999, 100 * 60_000],
  ]);
  assert.deepEqual(blocks[0], {
    block: 0,
    rows: 300_000,
    groups: blockKeys * 12,
    rowIds: { first: 0, last: 299_999 },
  });
  assert.deepEqual(recentSlices(blocks, 100_000), [
    { fromKey: 0, toKey: blockKeys, rowIds: { from: 0, to: 300_000 } },
    { fromKey: blockKeys, toKey: 2 * blockKeys, rowIds: { from: 300_000, to: 383_333 } },
    { fromKey: blockKeys, toKey: 2 * blockKeys, rowIds: { from: 383_333, to: 466_666 } },
    { fromKey: blockKeys, toKey: 2 * blockKeys, rowIds: { from: 466_666, to: 550_000 } },
  ]);
});
