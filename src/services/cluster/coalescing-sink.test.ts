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
    sink: {
      insert: async (batch) => void inserts.push(batch.length),
      check: async () => ({ missing: [], newest: new Map() }),
    },
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
      check: async () => ({ missing: [], newest: new Map() }),
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

test('an insert starts as soon as every caller has handed its batch over, without the linger', async () => {
  const inserts: number[] = [];
  const sink = new CoalescingSink({
    sink: {
      insert: async (batch) => void inserts.push(batch.length),
      check: async () => ({ missing: [], newest: new Map() }),
    },
    maxReadings: 1_000,
    lingerMillis: 60_000,
    callers: () => 3,
  });
  const started = performance.now();
  await Promise.all([
    sink.insert(readings('a', 1)),
    sink.insert(readings('b', 2)),
    sink.insert(readings('c', 3)),
  ]);
  assert.deepEqual(inserts, [6]);
  assert.ok(performance.now() - started < 1_000, 'did not wait for the 60 s linger');
  const lone = sink.insert(readings('d', 1));
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(inserts, [6], 'one caller of three waits for the others (or the linger)');
  sink.insert(readings('e', 1)).catch(() => undefined);
  sink.insert(readings('f', 1)).catch(() => undefined);
  await lone;
  assert.deepEqual(inserts, [6, 3]);
});

test('inserts start at least the spacing apart; what arrives meanwhile joins the next', async () => {
  const starts: { at: number; size: number }[] = [];
  const sink = new CoalescingSink({
    sink: {
      insert: async (batch) => void starts.push({ at: performance.now(), size: batch.length }),
      check: async () => ({ missing: [], newest: new Map() }),
    },
    maxReadings: 1_000,
    lingerMillis: 60_000,
    callers: () => 1,
    spacingMillis: () => 150,
  });
  await sink.insert(readings('a', 1)); // ready at once: the first insert is not held
  const second = sink.insert(readings('b', 2));
  const third = sink.insert(readings('c', 3));
  await Promise.all([second, third]);
  assert.deepEqual(
    starts.map((start) => start.size),
    [1, 5],
    'the two batches that came within the spacing went out together',
  );
  // Measured a little after each insert starts, and timers may fire a millisecond early.
  assert.ok(starts[1]!.at - starts[0]!.at >= 140, `spaced ${starts[1]!.at - starts[0]!.at} ms`);
});
