import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoundedQueue } from './bounded-queue.ts';

void test('first in, first out, across the end of the ring', () => {
  const queue = new BoundedQueue<number>(3);
  const out: number[] = [];
  for (let n = 0; n < 10; n++) {
    queue.push(n);
    if (n % 2 === 1) out.push(queue.shift()!, queue.shift()!);
  }
  assert.deepEqual(out, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(queue.shift(), undefined);
  assert.equal(queue.size, 0);
  assert.equal(queue.takeDropped(), 0);
});

void test('a full queue drops its oldest items and counts them once', () => {
  const queue = new BoundedQueue<string>(2);
  for (const item of ['a', 'b', 'c', 'd', 'e']) queue.push(item);
  assert.equal(queue.size, 2);
  assert.equal(queue.takeDropped(), 3);
  assert.equal(queue.takeDropped(), 0);
  assert.deepEqual([queue.shift(), queue.shift(), queue.shift()], ['d', 'e', undefined]);
});

void test('a capacity that is not a positive integer is refused', () => {
  assert.throws(() => new BoundedQueue(0), /positive integer/);
  assert.throws(() => new BoundedQueue(1.5), /positive integer/);
});
