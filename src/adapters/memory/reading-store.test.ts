import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryReadingStore } from './reading-store.ts';

function chunkOf(store: MemoryReadingStore, rows: [string, number, number][]) {
  return {
    keys: Uint32Array.from(rows, ([sensor]) => store.sensorKey(sensor)),
    timestamps: Float64Array.from(rows, (row) => row[1]),
    values: Float64Array.from(rows, (row) => row[2]),
    length: rows.length,
  };
}

test('retention deletes raw readings older than the keep; history sent afterwards is stored', async () => {
  const store = new MemoryReadingStore();
  await store.append(
    chunkOf(store, [
      ['a', 1_000, 1],
      ['a', 5_000, 2],
    ]),
  );
  assert.equal(await store.applyRetention(4_000, { rawMillis: 1_000 }), 1);
  assert.deepEqual(await store.append(chunkOf(store, [['a', 2_000, 4]])), { stored: 1, duplicates: 0 });
  assert.deepEqual(
    store.readingsOf('a').map((reading) => reading.ts),
    [2_000, 5_000],
  );
  // A re-sent reading keeps its first value.
  assert.deepEqual(await store.append(chunkOf(store, [['a', 2_000, 9]])), { stored: 0, duplicates: 1 });
  assert.equal(store.readingsOf('a')[0]?.value, 4);
});

test('min and max of a bucket of a million readings; bug: Math.min(...values) overflowed the stack', async () => {
  const store = new MemoryReadingStore();
  const count = 1_000_000;
  const chunk = {
    keys: new Uint32Array(count).fill(store.sensorKey('a')),
    timestamps: Float64Array.from({ length: count }, (_, i) => i),
    values: Float64Array.from({ length: count }, (_, i) => (i * 7919) % count),
    length: count,
  };
  await store.append(chunk);
  const query = {
    sensor: 'a',
    fromMillis: 0,
    toMillis: count,
    stepMillis: count,
    resolution: 'raw',
  } as const;
  assert.deepEqual(await store.series({ ...query, aggregation: 'min' }), [{ ts: 0, value: 0 }]);
  assert.deepEqual(await store.series({ ...query, aggregation: 'max' }), [{ ts: 0, value: count - 1 }]);
  assert.deepEqual(await store.series({ ...query, aggregation: 'last' }), [
    { ts: 0, value: ((count - 1) * 7919) % count },
  ]);
});

test("a sensor's latest value outlives the raw retention, as in the DuckDB store", async () => {
  // Regression: latest scanned the raw readings, so a sensor silent past the retention vanished.
  const store = new MemoryReadingStore();
  await store.append(
    chunkOf(store, [
      ['a', 5_000, 2],
      ['a', 1_000, 1],
      ['b', 9_000, 3],
    ]),
  );
  await store.applyRetention(20_000, { rawMillis: 1_000 });
  assert.deepEqual(store.readingsOf('a'), []);
  assert.deepEqual(
    [...(await store.latest(['a', 'b', 'a', 'c']))],
    [
      ['a', { ts: 5_000, value: 2 }],
      ['b', { ts: 9_000, value: 3 }],
    ],
  );
});
