import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { seriesSegments } from './series-segments.ts';

const minute = 60_000;
const hour = 3_600_000;

void test('reads whole hours from the hour rollup, the ends from minutes, the rest from raw readings', () => {
  const from = 10 * hour + 10 * minute + 500;
  const to = 13 * hour + 30 * minute;
  assert.deepEqual(seriesSegments(from, to, [hour, minute]), [
    { widthMillis: 0, fromMillis: from, toMillis: 10 * hour + 11 * minute },
    { widthMillis: minute, fromMillis: 10 * hour + 11 * minute, toMillis: 11 * hour },
    { widthMillis: hour, fromMillis: 11 * hour, toMillis: 13 * hour },
    { widthMillis: minute, fromMillis: 13 * hour, toMillis: to },
  ]);
});

void test('a range aligned to the coarsest width is one segment; a range inside one bucket goes finer', () => {
  assert.deepEqual(seriesSegments(hour, 3 * hour, [hour, minute]), [
    { widthMillis: hour, fromMillis: hour, toMillis: 3 * hour },
  ]);
  assert.deepEqual(seriesSegments(10 * minute, 30 * minute, [hour]), [
    { widthMillis: 0, fromMillis: 10 * minute, toMillis: 30 * minute },
  ]);
  assert.deepEqual(seriesSegments(5, 5, [hour]), []);
});

void test('segments cover the range exactly, in order, each rollup segment on whole buckets', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 10 * hour }),
      fc.integer({ min: 0, max: 10 * hour }),
      fc.constantFrom([hour, minute], [hour], [minute], []),
      (from, length, widths) => {
        const segments = seriesSegments(from, from + length, widths);
        let cursor = from;
        for (const segment of segments) {
          assert.equal(segment.fromMillis, cursor);
          assert.ok(segment.toMillis > segment.fromMillis);
          if (segment.widthMillis > 0) {
            assert.equal(segment.fromMillis % segment.widthMillis, 0);
            assert.equal(segment.toMillis % segment.widthMillis, 0);
          }
          cursor = segment.toMillis;
        }
        assert.equal(cursor, from + length);
      },
    ),
  );
});
