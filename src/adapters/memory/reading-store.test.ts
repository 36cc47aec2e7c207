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

test('drops readings older than the raw retention horizon, as a store with rollups must', async () => {
  const store = new MemoryReadingStore();
  await store.append(
    chunkOf(store, [
      ['a', 1_000, 1],
      ['a', 5_000, 2],
    ]),
  );
  assert.equal(await store.applyRetention(4_000, { rawMillis: 1_000 }), 1);
  // Before the fix the reading deleted by retention was stored again when re-sent.
  assert.deepEqual(
    await store.append(
      chunkOf(store, [
        ['a', 1_000, 1],
        ['a', 3_000, 3],
      ]),
    ),
    {
      stored: 1,
      duplicates: 1,
    },
  );
  // The horizon never moves back: a later run with a longer keep does not readmit old readings.
  await store.applyRetention(4_000, { rawMillis: 10_000 });
  assert.equal((await store.append(chunkOf(store, [['a', 2_000, 4]]))).stored, 0);
  assert.deepEqual(
    store.readingsOf('a').map((reading) => reading.ts),
    [3_000, 5_000],
  );
});
