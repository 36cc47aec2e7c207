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
