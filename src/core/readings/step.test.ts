import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bucketCount, smallestStep } from './step.ts';

test('bucketCount counts the aligned buckets a range touches, partial ones at the ends included', () => {
  assert.equal(bucketCount(0, 100, 10), 10);
  assert.equal(bucketCount(5, 105, 10), 11);
  assert.equal(bucketCount(5, 6, 10), 1);
  assert.equal(bucketCount(9, 11, 10), 2);
  assert.equal(bucketCount(10, 10, 10), 0);
  assert.equal(bucketCount(0, 3_600_000, 86_400_000), 1);
});

test('smallestStep gives a step that keeps a range within the bucket limit, whatever its alignment', () => {
  for (const range of [1, 2, 99, 100_000, 86_400_000, 31_536_000_000, 123_456_789]) {
    const step = smallestStep(range, 100_000);
    for (const from of [0, 1, step - 1, 7_777_777, 1_795_961_100_007])
      assert.ok(bucketCount(from, from + range, step) <= 100_000, `range ${range}, from ${from}`);
  }
  assert.equal(smallestStep(86_400_000, 100_000), 865);
});
