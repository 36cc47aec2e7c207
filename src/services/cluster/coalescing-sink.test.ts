import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Reading } from '../../core/readings/reading.ts';
import { CoalescingSink } from './coalescing-sink.ts';

function readings(sensor: string, count: number): Reading[] {
  return Array.from({ length: count }, (_, index) => ({ sensor, ts: index, value: index }));
}

test('joins concurrent inserts into one and settles every caller with it', async () => {
  const inserts: number[] = [];
  const sink = new CoalescingSink({
    sink: { insert: async (batch) => void inserts.push(batch.length), missing: async () => [] },
    maxReadings: 1_000,
    lingerMillis: 20,
  });
  await Promise.all([sink.insert(readings('a', 10)), sink.insert(readings('b', 20))]);
  assert.deepEqual(inserts, [30]);
  await Promise.all([
    sink.insert(readings('a', 600)),
    sink.insert(readings('b', 600)),
    sink.insert(readings('c', 5)),
  ]);
  assert.deepEqual(inserts, [30, 1_200, 5], 'a full batch goes at once, the rest after the linger');
});

test('a failed insert rejects every caller whose readings it carried', async () => {
  const sink = new CoalescingSink({
    sink: {
      insert: async () => {
        throw new Error('store down');
      },
      missing: async () => [],
    },
    maxReadings: 1_000,
    lingerMillis: 5,
  });
  const results = await Promise.allSettled([sink.insert(readings('a', 1)), sink.insert(readings('b', 1))]);
  assert.deepEqual(
    results.map((result) => result.status),
    ['rejected', 'rejected'],
  );
});
