import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PointRings } from './point-rings.ts';

test('each ring keeps its most recent points oldest first and forgets the oldest when full', () => {
  const rings = new PointRings(3);
  const a = rings.allocate();
  const b = rings.allocate();
  for (let i = 1; i <= 5; i += 1) rings.push(a, i * 10, i, i / 10);
  rings.push(b, 7, 70, 0.7);
  assert.equal(rings.count(a), 3);
  assert.deepEqual(
    rings.last(a, 10).map((p) => [p.ts, p.value, p.score]),
    [
      [30, 3, 0.3],
      [40, 4, 0.4],
      [50, 5, 0.5],
    ],
  );
  assert.deepEqual(
    rings.last(a, 2).map((p) => p.ts),
    [40, 50],
  );
  assert.deepEqual(
    rings.between(a, 35, 50).map((p) => p.ts),
    [40],
  );
  assert.deepEqual(rings.last(b, 10), [{ ts: 7, value: 70, score: 0.7 }], 'rings do not share points');
  assert.equal(rings.bytesPerRing, (2 + 3 * 3) * 8);
});

test('rings beyond one slab are independent', () => {
  const rings = new PointRings(2);
  const numbers = Array.from({ length: 3000 }, () => rings.allocate());
  for (const ring of numbers) rings.push(ring, ring, -ring, 0);
  assert.equal(rings.size, 3000);
  assert.deepEqual(rings.last(2999, 5), [{ ts: 2999, value: -2999, score: 0 }]);
  assert.deepEqual(rings.last(1024, 5), [{ ts: 1024, value: -1024, score: 0 }]);
  assert.throws(() => rings.last(3000, 1), RangeError);
});

test('a ring saved, freed and loaded into a reused number holds the same points', () => {
  const rings = new PointRings(3);
  const a = rings.allocate();
  const b = rings.allocate();
  for (let i = 1; i <= 4; i += 1) rings.push(a, i, i * 2, i / 10);
  rings.push(b, 99, 1, 0);
  const saved = new Float64Array(1 + rings.bytesPerRing / 8);
  rings.save(a, saved, 1);
  rings.free(a);
  assert.equal(rings.size, 1);
  const reused = rings.allocate();
  assert.equal(reused, a, 'a freed number is handed out first');
  assert.equal(rings.count(reused), 0, 'and empty');
  rings.load(reused, saved, 1);
  assert.deepEqual(
    rings.last(reused, 3).map((p) => p.ts),
    [2, 3, 4],
  );
  rings.push(reused, 5, 10, 0.5);
  assert.deepEqual(
    rings.last(reused, 3).map((p) => p.ts),
    [3, 4, 5],
    'and goes on where it was',
  );
  assert.deepEqual(rings.last(b, 3), [{ ts: 99, value: 1, score: 0 }]);
});

test('rejects a ring size that is not a positive integer', () => {
  assert.throws(() => new PointRings(0), RangeError);
  assert.throws(() => new PointRings(1.5), RangeError);
});
