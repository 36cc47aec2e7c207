import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../src/adapters/duckdb/database.ts';
import { readingSchema } from '../src/adapters/duckdb/reading-schema.ts';
import { DuckDbReadingStore } from '../src/adapters/duckdb/reading-store.ts';
import { MemoryReadingStore } from '../src/adapters/memory/reading-store.ts';
import type { Aggregation } from '../src/ports/reading-queries.ts';
import type { KeyedReadings, ReadingStore, Resolution } from '../src/ports/reading-store.ts';

const hour = 3_600_000;
const start = Date.UTC(2026, 10, 27);

function chunkOf(store: ReadingStore, rows: [string, number, number][]): KeyedReadings {
  return {
    keys: Uint32Array.from(rows, ([sensor]) => store.sensorKey(sensor)),
    timestamps: Float64Array.from(rows, (row) => row[1]),
    values: Float64Array.from(rows, (row) => row[2]),
    length: rows.length,
  };
}

/** Rows of a rollup table beyond one per (sensor, bucket): partial rows a compaction would merge. */
async function partialRows(database: Database, table: 'rollup_minute' | 'rollup_hour'): Promise<number> {
  const reader = await database.connect();
  const result = await reader.runAndReadAll(
    `SELECT count(*) - count(DISTINCT (sensor, bucket)) FROM ${table}`,
  );
  reader.closeSync();
  return Number(result.getRows()[0]![0]);
}

/** The same bucket times, and values equal to 1e-9 (sums in another order differ in the last bits). */
function assertSameSeries(
  actual: readonly { ts: number; value: number }[],
  expected: readonly { ts: number; value: number }[],
  label: string,
): void {
  assert.deepEqual(
    actual.map((point) => point.ts),
    expected.map((point) => point.ts),
    label,
  );
  actual.forEach((point, i) =>
    assert.ok(Math.abs(point.value - (expected[i]?.value ?? NaN)) < 1e-9, `${label} ${i}`),
  );
}

/** Three sensors, one reading every 7 s for 3 hours, with a few negative and fractional values. */
function generatedRows(): [string, number, number][] {
  const rows: [string, number, number][] = [];
  for (let ts = start; ts < start + 3 * hour; ts += 7_000) {
    for (const [i, sensor] of ['a', 'b', 'c'].entries())
      rows.push([sensor, ts + i, Math.sin(ts / 1e6 + i) * 100]);
  }
  return rows;
}

async function withStore(
  run: (store: DuckDbReadingStore, dataDir: string, database: Database) => Promise<void>,
  // A small run size by default, so that the tests cross several sorted runs and a recent tail.
  options: Parameters<typeof DuckDbReadingStore.open>[1] = { clusterRows: 2_500 },
): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'urban-brain-store-'));
  const database = await openDatabase({ dataDir, threads: 2 });
  const store = await DuckDbReadingStore.open(database, options);
  try {
    await run(store, dataDir, database);
  } finally {
    await store.close();
    database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

test('series from raw, minute and hour rollups equal a brute-force answer, across chunks and after compaction', async () => {
  await withStore(async (store) => {
    const memory = new MemoryReadingStore();
    const rows = generatedRows();
    // Several chunks so rollup buckets get several partial rows.
    for (let offset = 0; offset < rows.length; offset += 997) {
      const slice = rows.slice(offset, offset + 997);
      await store.append(chunkOf(store, slice));
      await memory.append(chunkOf(memory, slice));
    }
    const cases: [Resolution, number][] = [
      ['raw', 30_000],
      ['minute', 300_000],
      ['hour', hour],
    ];
    const aggregations: Aggregation[] = ['avg', 'min', 'max', 'sum', 'count', 'last'];
    const compare = async () => {
      for (const [resolution, stepMillis] of cases) {
        for (const aggregation of aggregations) {
          const query = {
            sensor: 'b',
            fromMillis: start,
            toMillis: start + 3 * hour,
            stepMillis,
            aggregation,
            resolution,
          };
          const expected = await memory.series(query);
          const actual = await store.series(query);
          assert.equal(actual.length, expected.length, `${resolution} ${aggregation}`);
          actual.forEach((point, i) => {
            assert.equal(point.ts, expected[i]?.ts);
            assert.ok(
              Math.abs(point.value - (expected[i]?.value ?? NaN)) < 1e-9,
              `${resolution} ${aggregation} ${i}`,
            );
          });
        }
      }
    };
    await compare();
    await store.checkpoint(); // compacts rollups
    await compare();
  });
});

test('a series over a range of partial rollup buckets counts only the readings inside it, at every resolution', async () => {
  await withStore(async (store) => {
    const memory = new MemoryReadingStore();
    const rows = generatedRows();
    await store.append(chunkOf(store, rows));
    await memory.append(chunkOf(memory, rows));
    // Before the fix, rollup resolutions widened `from` to a whole rollup bucket.
    const ranges = [
      [start + 10 * 60_000 + 3_500, start + 2 * hour + 40 * 60_000 + 1_000],
      [start + 10 * 60_000, start + 30 * 60_000],
      [start + 59 * 60_000 + 1, start + 3 * hour],
    ];
    for (const [fromMillis, toMillis] of ranges as [number, number][]) {
      for (const aggregation of ['avg', 'min', 'max', 'sum', 'count', 'last'] as const) {
        for (const [resolution, stepMillis] of [
          ['minute', 300_000],
          ['hour', hour],
        ] as [Resolution, number][]) {
          const query = { sensor: 'a', fromMillis, toMillis, stepMillis, aggregation };
          const expected = await memory.series({ ...query, resolution: 'raw' });
          const actual = await store.series({ ...query, resolution });
          const label = `${resolution} ${aggregation} ${fromMillis - start}..${toMillis - start}`;
          assertSameSeries(actual, expected, label);
        }
      }
    }
  });
});

test("a tail rolled up in slices (ranges of sensor keys, row ids within a crowded block) gives the readings' series", async () => {
  await withStore(
    async (store, _dataDir, database) => {
      // Keys 0-2: three sensors with 4,629 readings; keys 3-9,002: two readings each. Block 0 (keys
      // below 4,096) holds 12,815 readings, over the 10,000 of a slice: cut in two by row id. Blocks 1
      // and 2 hold 8,192 and 1,622: one slice of two blocks.
      const memory = new MemoryReadingStore();
      const rows: [string, number, number][] = [...generatedRows()];
      for (let i = 0; i < 9_000; i++) {
        rows.push([`w${i}`, start + i, i % 13], [`w${i}`, start + 50_000 + i * 7, -(i % 5)]);
      }
      for (let offset = 0; offset < rows.length; offset += 5_000) {
        await store.append(chunkOf(store, rows.slice(offset, offset + 5_000)));
        await memory.append(chunkOf(memory, rows.slice(offset, offset + 5_000)));
      }
      const series = async (
        target: ReadingStore,
        sensor: string,
        resolution: Resolution,
        aggregation: Aggregation,
      ) =>
        target.series({
          sensor,
          fromMillis: start,
          toMillis: start + 3 * hour,
          stepMillis: hour,
          aggregation,
          resolution,
        });
      const compare = async (label: string) => {
        for (const sensor of ['a', 'c', 'w0', 'w4092', 'w4093', 'w8999']) {
          for (const resolution of ['minute', 'hour'] as const) {
            for (const aggregation of ['sum', 'count', 'min', 'max', 'last'] as const) {
              assertSameSeries(
                await series(store, sensor, resolution, aggregation),
                await series(memory, sensor, 'raw', aggregation),
                `${label} ${sensor} ${resolution} ${aggregation}`,
              );
            }
          }
        }
      };
      await compare('before the run is moved');
      await store.cluster();
      const reader = await database.connect();
      const counts = await reader.runAndReadAll(
        'SELECT (SELECT count(*) FROM readings_recent), (SELECT sum(count) FROM rollup_hour), ' +
          "(SELECT count(*) FROM rollup_minute WHERE sensor = (SELECT key FROM sensor_keys WHERE id = 'w9'))",
      );
      reader.closeSync();
      assert.deepEqual(
        counts.getRows()[0]?.map(Number),
        [0, rows.length, 1],
        'tail moved, every reading rolled up once',
      );
      await compare('after');
      // A second run into the same buckets leaves partial rows; the checkpoint's compaction, a slice
      // of keys at a time (2,500 rows here), merges every one of them.
      const again = rows.map(([sensor, ts, value]): [string, number, number] => [sensor, ts + 1, value + 1]);
      await store.append(chunkOf(store, again));
      await memory.append(chunkOf(memory, again));
      await store.cluster();
      const bothRollups = async () => [
        await partialRows(database, 'rollup_minute'),
        await partialRows(database, 'rollup_hour'),
      ];
      assert.ok(
        (await bothRollups()).every((count) => count > 1_000),
        'partial rows of two runs',
      );
      await store.checkpoint();
      assert.deepEqual(await bothRollups(), [0, 0], 'every partial row merged');
      await compare('after compaction');
    },
    { rollupSliceRows: 10_000 },
  );
});

test('a file whose appends wrote the rollups is opened without counting its recent tail twice', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'urban-brain-store-'));
  try {
    // The file as the store left it when every append wrote its own rollup rows: 120 readings of
    // sensor 'a', one a minute, all in the recent tail and all in the rollups already.
    let database = await openDatabase({ dataDir });
    const connection = await database.connect();
    for (const sql of readingSchema) await connection.run(sql);
    await connection.run('DROP TABLE reading_store_format');
    await connection.run("INSERT INTO sensor_keys VALUES (0, 'a')");
    await connection.run(
      `INSERT INTO readings_recent SELECT 0, ${start} + i * 60000, i FROM range(120) t(i)`,
    );
    for (const [table, width] of [
      ['rollup_minute', 60_000],
      ['rollup_hour', hour],
    ] as const) {
      await connection.run(
        `INSERT INTO ${table} SELECT sensor, ts - ts % ${width}, min(value), max(value), sum(value), ` +
          'count(*), arg_max(value, ts), max(ts) FROM readings_recent GROUP BY ALL',
      );
    }
    connection.closeSync();
    database.close();

    const expected = [
      { ts: start, value: 60 },
      { ts: start + hour, value: 60 },
    ];
    const counts = (store: DuckDbReadingStore, resolution: Resolution) =>
      store.series({
        sensor: 'a',
        fromMillis: start,
        toMillis: start + 4 * hour,
        stepMillis: hour,
        aggregation: 'count',
        resolution,
      });
    for (const round of ['upgraded', 'opened again with a tail of its own']) {
      database = await openDatabase({ dataDir });
      const store = await DuckDbReadingStore.open(database);
      for (const resolution of ['raw', 'minute', 'hour'] as const)
        assert.deepEqual(await counts(store, resolution), expected, `${round} ${resolution}`);
      if (round === 'upgraded') {
        // Readings after the upgrade stay in the tail, rolled up only when sorted in.
        await store.append(chunkOf(store, [['a', start + 3 * hour, 1]]));
        expected.push({ ts: start + 3 * hour, value: 1 });
      }
      await store.close();
      database.close();
    }
    database = await openDatabase({ dataDir });
    const reader = await database.connect();
    const rows = await reader.runAndReadAll(
      'SELECT (SELECT count(*) FROM readings_recent), (SELECT count(*) FROM readings), ' +
        '(SELECT max(rollups) FROM reading_store_format), (SELECT count(*) FROM reading_store_format)',
    );
    reader.closeSync();
    database.close();
    assert.deepEqual(rows.getRows()[0]?.map(String), ['1', '120', 'at-sort', '1']);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('re-sent readings are not duplicated in raw readings or rollups', async () => {
  await withStore(async (store) => {
    const rows = generatedRows().slice(0, 3000);
    const first = await store.append(chunkOf(store, rows));
    assert.equal(first.stored, 3000);
    // The same readings again, some twice in one chunk, some with another value, plus one new.
    const again = [
      ...rows.slice(0, 1000),
      ...rows.slice(0, 10),
      ['a', start - 5_000, 1] as [string, number, number],
    ];
    again[0] = [again[0]?.[0] as string, again[0]?.[1] as number, 12345];
    const second = await store.append(chunkOf(store, again));
    assert.equal(second.stored, 1);
    assert.equal(second.duplicates, 1010);
    assert.equal(await store.count(), 3001);
    const query = {
      sensor: 'a',
      fromMillis: start - hour,
      toMillis: start + 3 * hour,
      stepMillis: hour,
      aggregation: 'count' as const,
    };
    const raw = await store.series({ ...query, resolution: 'raw' });
    const rolled = await store.series({ ...query, resolution: 'hour' });
    assert.deepEqual(rolled, raw);
    assert.equal(
      raw.reduce((sum, point) => sum + point.value, 0),
      1001,
    );
    const firstValue = await store.series({
      ...query,
      toMillis: start + 1,
      stepMillis: 1000,
      aggregation: 'max',
      resolution: 'raw',
    });
    assert.equal(firstValue.at(-1)?.value, rows[0]?.[2], 'the first stored value wins');
  });
});

test('latest values and sensor keys survive reopening the file', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'urban-brain-store-'));
  try {
    let database = await openDatabase({ dataDir });
    let store = await DuckDbReadingStore.open(database);
    await store.append(
      chunkOf(store, [
        ['x', 10, 1],
        ['x', 30, 3],
        ['x', 20, 2],
        ['y', 5, 9],
      ]),
    );
    await store.close();
    database.close();
    database = await openDatabase({ dataDir });
    store = await DuckDbReadingStore.open(database);
    const latest = await store.latest(['x', 'y', 'z']);
    assert.deepEqual(
      [...latest.entries()],
      [
        ['x', { ts: 30, value: 3 }],
        ['y', { ts: 5, value: 9 }],
      ],
    );
    assert.equal(store.sensorKey('y'), 1);
    assert.equal(store.sensorKey('z'), 2);
    const again = await store.append(chunkOf(store, [['x', 20, 7]]));
    assert.equal(again.stored, 0, 'a reading stored before reopening is recognised as a duplicate');
    await store.close();
    database.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('retention deletes per resolution', async () => {
  await withStore(async (store) => {
    await store.append(chunkOf(store, generatedRows()));
    const now = start + 3 * hour;
    const deleted = await store.applyRetention(now, { rawMillis: hour, minuteMillis: 2 * hour });
    assert.ok(deleted > 0);
    const query = {
      sensor: 'a',
      fromMillis: start,
      toMillis: now,
      stepMillis: hour,
      aggregation: 'count' as const,
    };
    assert.deepEqual(
      (await store.series({ ...query, resolution: 'raw' })).map((point) => point.ts),
      [start + 2 * hour],
    );
    assert.equal((await store.series({ ...query, resolution: 'minute' })).length, 2);
    assert.equal((await store.series({ ...query, resolution: 'hour' })).length, 3);
  });
});

test('retention keeps a rollup bucket that ends after its horizon: a reading younger than the retention stays', async () => {
  // Regression: `bucket < horizon` deleted the hour (and minute) holding the horizon, so a reading
  // 2.99 days old was gone at every resolution under a 3-day retention.
  await withStore(async (store) => {
    const minute = 60_000;
    await store.append(
      chunkOf(store, [
        ['h', start + 10 * minute, 1],
        ['h', start + 50 * minute, 2],
        ['h', start + 50 * minute + 40_000, 3],
      ]),
    );
    // Horizons at start + 55 min (raw: every raw row goes, rolled up first), 50 min 20 s (minute)
    // and 30 min (hour).
    const now = start + 10 * hour;
    const policy = {
      rawMillis: now - (start + 55 * minute),
      minuteMillis: now - (start + 50 * minute + 20_000),
      hourMillis: now - (start + 30 * minute),
    };
    await store.applyRetention(now, policy);
    const count = (resolution: 'minute' | 'hour', stepMillis: number) =>
      store.series({
        sensor: 'h',
        fromMillis: start,
        toMillis: now,
        stepMillis,
        aggregation: 'count',
        resolution,
      });
    // The hour starting at `start` ends after its horizon: kept whole, with the reading before it.
    assert.deepEqual(
      (await count('hour', hour)).map((point) => [point.ts, point.value]),
      [[start, 3]],
    );
    // The minute of 50:00–51:00 holds the minute horizon: kept; the minute of 10:00 is wholly older.
    assert.deepEqual(
      (await count('minute', minute)).map((point) => [point.ts, point.value]),
      [[start + 50 * minute, 2]],
    );
  });
});

test("a checkpoint waits for another connection's write transaction instead of failing", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'urban-brain-store-'));
  const database = await openDatabase({ dataDir });
  try {
    const store = await DuckDbReadingStore.open(database);
    await store.append(chunkOf(store, [['x', 10, 1]]));
    const other = await database.connect();
    await other.run('CREATE TABLE other_component (id INTEGER)');
    await other.run('BEGIN TRANSACTION');
    await other.run('INSERT INTO other_component VALUES (1)');
    await other.run('COMMIT');
    await other.run('BEGIN TRANSACTION');
    // An open update (not an insert) is what makes DuckDB refuse a CHECKPOINT.
    await other.run('UPDATE other_component SET id = 2');
    const committed = new Promise<void>((resolve, reject) => {
      setTimeout(() => {
        other.run('COMMIT').then(() => resolve(), reject);
      }, 500);
    });
    await store.checkpoint();
    await committed;
    assert.equal(await store.count(), 1);
    await store.close();
  } finally {
    database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a compaction that fails does not stop the checkpoint, and the next one merges its rows', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'urban-brain-store-'));
  const database = await openDatabase({ dataDir });
  const compactions: unknown[] = [];
  try {
    const store = await DuckDbReadingStore.open(database, {
      clusterRows: 97, // every append a sorted run of its own
      onCompaction: (error) => compactions.push(error),
    });
    const memory = new MemoryReadingStore();
    const rows = generatedRows().slice(0, 600);
    for (let offset = 0; offset < rows.length; offset += 97) {
      await store.append(chunkOf(store, rows.slice(offset, offset + 97)));
      await memory.append(chunkOf(memory, rows.slice(offset, offset + 97)));
    }
    assert.ok(
      (await partialRows(database, 'rollup_minute')) > 0,
      'several sorted runs left partial rows of one bucket',
    );
    // Another writer deletes a row the compaction deletes too, and has not committed: DuckDB refuses
    // the compaction's delete (a write conflict), as it refused a compaction out of memory.
    const other = await database.connect();
    await other.run('BEGIN TRANSACTION');
    await other.run(
      'DELETE FROM rollup_minute WHERE (sensor, bucket) IN ' +
        '(SELECT sensor, bucket FROM rollup_minute GROUP BY ALL HAVING count(*) > 1 LIMIT 1)',
    );
    await store.checkpoint();
    assert.equal(compactions.length, 1);
    assert.match(String(compactions[0]), /conflict/i);
    await other.run('ROLLBACK');
    other.closeSync();
    // The checkpoint ran all the same: the file holds the readings after reopening.
    assert.equal(await store.count(), rows.length);
    await store.checkpoint();
    assert.deepEqual(compactions.slice(1), [undefined]);
    assert.equal(
      await partialRows(database, 'rollup_minute'),
      0,
      'the next checkpoint merged every partial row',
    );
    const query = {
      sensor: 'a',
      fromMillis: start,
      toMillis: start + hour,
      stepMillis: 300_000,
      aggregation: 'sum' as const,
      resolution: 'minute' as const,
    };
    assertSameSeries(await store.series(query), await memory.series(query), 'minute sums after compaction');
    await store.close();
  } finally {
    database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a backfill older than the raw retention is stored: retention deletes its raw rows, its rollups stay', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'urban-brain-store-'));
  try {
    let database = await openDatabase({ dataDir });
    let store = await DuckDbReadingStore.open(database);
    const now = start + 48 * hour;
    // A new reading first, then history well past the raw retention (a day here).
    await store.append(chunkOf(store, [['a', now, 5]]));
    assert.equal(await store.applyRetention(now, { rawMillis: 24 * hour }), 0);
    const history = await store.append(
      chunkOf(store, [
        ['a', start + 1_000, 1],
        ['a', start + 2_000, 3],
      ]),
    );
    assert.deepEqual(history, { stored: 2, duplicates: 0 });
    assert.equal(await store.applyRetention(now, { rawMillis: 24 * hour }), 2, 'the raw rows go');
    await store.close();
    database.close();
    database = await openDatabase({ dataDir });
    store = await DuckDbReadingStore.open(database);
    const query = { sensor: 'a', fromMillis: start, toMillis: start + hour, stepMillis: hour };
    for (const resolution of ['minute', 'hour'] as const) {
      assert.deepEqual(await store.series({ ...query, aggregation: 'count', resolution }), [
        { ts: start, value: 2 },
      ]);
      assert.deepEqual(await store.series({ ...query, aggregation: 'avg', resolution }), [
        { ts: start, value: 2 },
      ]);
    }
    assert.equal(await store.count(), 1, 'only the new raw reading is left');
    await store.close();
    database.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a sensor silent for longer than the raw retention keeps its latest value across a restart', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'urban-brain-store-'));
  const retention = { rawMillis: 24 * hour };
  const reopen = async () => {
    const database = await openDatabase({ dataDir });
    return { database, store: await DuckDbReadingStore.open(database) };
  };
  try {
    let { database, store } = await reopen();
    await store.append(
      chunkOf(store, [
        ['silent', start, 1],
        ['silent', start + 1_000, 2],
        ['busy', start, 3],
        ['busy', start + 47 * hour, 4],
      ]),
    );
    assert.equal(await store.applyRetention(start + 48 * hour, retention), 3);
    // History older than the kept latest value arrives and expires in turn: it must not replace it.
    await store.append(chunkOf(store, [['silent', start - hour, 9]]));
    assert.equal(await store.applyRetention(start + 49 * hour, retention), 1);
    await store.close();
    database.close();
    ({ database, store } = await reopen());
    const latest = await store.latest(['silent', 'busy', 'never']);
    assert.deepEqual(Object.fromEntries(latest), {
      silent: { ts: start + 1_000, value: 2 },
      busy: { ts: start + 47 * hour, value: 4 },
    });
    assert.equal(await store.count(), 1, 'the expired readings themselves are gone');
    // A newer reading of the silent sensor wins over the kept one, also after the next restart.
    await store.append(chunkOf(store, [['silent', start + 49 * hour, 5]]));
    await store.close();
    database.close();
    ({ database, store } = await reopen());
    assert.deepEqual((await store.latest(['silent'])).get('silent'), { ts: start + 49 * hour, value: 5 });
    await store.close();
    database.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a reading sent twice in one chunk keeps its first value, also when older than the newest stored', async () => {
  await withStore(async (store) => {
    const sensors = 200;
    const newest: [string, number, number][] = [];
    for (let s = 0; s < sensors; s++) newest.push([`s${s}`, start + 10 * hour, 0]);
    await store.append(chunkOf(store, newest));
    // Every (sensor, ts) twice, first with value 1, then (later in the chunk) with value 2.
    const twice: [string, number, number][] = [];
    for (const value of [1, 2]) {
      for (let i = 0; i < 130_000; i++)
        twice.push([`s${i % sensors}`, start + Math.floor(i / sensors) * 1_000, value]);
    }
    const result = await store.append(chunkOf(store, twice));
    assert.deepEqual(result, { stored: 130_000, duplicates: 130_000 });
    for (const resolution of ['raw', 'minute', 'hour'] as const) {
      for (let s = 0; s < sensors; s += 37) {
        const [point] = await store.series({
          sensor: `s${s}`,
          fromMillis: start,
          toMillis: start + 5 * hour,
          stepMillis: 5 * hour,
          aggregation: 'max',
          resolution,
        });
        // Before the fix a later copy's value could win (DuckDB's any_value).
        assert.equal(point?.value, 1, `s${s} ${resolution}`);
      }
    }
  });
});

test('a series read while appends and clustering run sees only committed readings, each once', async () => {
  await withStore(
    async (store) => {
      const key = store.sensorKey('a');
      const chunkRows = 1_000;
      const chunk = (index: number): KeyedReadings => ({
        keys: new Uint32Array(chunkRows).fill(key),
        timestamps: Float64Array.from({ length: chunkRows }, (_, i) => start + index * chunkRows + i),
        values: new Float64Array(chunkRows).fill(1),
        length: chunkRows,
      });
      await store.append(chunk(0));
      let appended = chunkRows;
      let done = false;
      const seen: { count: number; atLeast: number; atMost: number }[] = [];
      const reader = (async () => {
        while (!done) {
          const atLeast = appended;
          const [point] = await store.series({
            sensor: 'a',
            fromMillis: start,
            toMillis: start + hour,
            stepMillis: hour,
            aggregation: 'count',
            resolution: 'raw',
          });
          // The chunk being appended may be committed before its append resolves.
          seen.push({ count: point?.value ?? 0, atLeast, atMost: appended + chunkRows });
        }
      })();
      try {
        // Before the fix queries shared the writing connection: they saw a run twice while it was
        // being moved into the clustered table (and rows of an append not yet committed).
        for (let index = 1; index < 40; index++) {
          await store.append(chunk(index));
          appended += chunkRows;
        }
      } finally {
        done = true;
        await reader;
      }
      assert.ok(seen.length > 10, `only ${seen.length} queries ran`);
      const wrong = seen.filter(
        ({ count, atLeast, atMost }) => count % chunkRows !== 0 || count < atLeast || count > atMost,
      );
      assert.deepEqual(wrong, []);
    },
    { clusterRows: 2_000 },
  );
});

test('a range across the raw retention edge answers from rollups and raw readings as the raw readings did', async () => {
  await withStore(async (store) => {
    const memory = new MemoryReadingStore(); // keeps every raw reading: the brute-force answer
    const rows = generatedRows();
    await store.append(chunkOf(store, rows));
    await memory.append(chunkOf(memory, rows));
    await store.checkpoint();
    // Raw readings before start + 1 h 23 min 17 s are deleted; the rollups keep them.
    const now = start + 10 * hour;
    const edge = start + hour + 23 * 60_000 + 17_000;
    await store.applyRetention(now, { rawMillis: now - edge });
    const ranges: [number, number][] = [
      [start + 20 * 60_000, start + 3 * hour - 1_234],
      [start, start + 2 * hour],
    ];
    for (const [fromMillis, toMillis] of ranges) {
      for (const [resolution, stepMillis] of [
        ['minute', 60_000],
        ['minute', 7 * 60_000],
        ['hour', hour],
        ['hour', 5 * hour],
        ['hour', 24 * hour],
      ] as [Resolution, number][]) {
        for (const aggregation of ['avg', 'min', 'max', 'sum', 'count', 'last'] as const) {
          const query = { sensor: 'c', fromMillis, toMillis, stepMillis, aggregation };
          const expected = await memory.series({ ...query, resolution: 'raw' });
          const actual = await store.series({ ...query, resolution });
          const label = `${stepMillis} ${aggregation} ${fromMillis - start}..${toMillis - start}`;
          assertSameSeries(actual, expected, label);
        }
      }
    }
    // Both stores keep a sensor's latest value past the retention.
    await memory.applyRetention(now, { rawMillis: 0 });
    assert.deepEqual([...(await memory.latest(['a', 'c']))], [...(await store.latest(['a', 'c']))]);
  });
});

test('appends under a small memory limit do not run DuckDB out of memory as readings pile up', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'urban-brain-store-'));
  // The staging tables were emptied with DELETE, and DuckDB keeps the storage of rows deleted from a
  // temp table: its pinned memory grew with every reading stored, so that 32 MB ran out at about 4
  // million readings ("Out of Memory Error"), 64 MB at 58 million. Readings sent again (a tenth of
  // each append) still go through one, the suspects' table.
  const database = await openDatabase({ dataDir, memoryLimitMegabytes: 32, threads: 1 });
  try {
    const store = await DuckDbReadingStore.open(database);
    const rows = 100_000;
    const chunk: KeyedReadings = {
      keys: new Uint32Array(rows),
      timestamps: new Float64Array(rows),
      values: new Float64Array(rows),
      length: rows,
    };
    const keys = Array.from({ length: 100 }, (_, index) => store.sensorKey(`s${index}`));
    const appends = 80;
    let made = 0;
    for (let append = 0; append < appends; append++) {
      // The first `resent` rows are the last readings of the append before, sent again.
      const resent = append === 0 ? 0 : 10_000;
      for (let row = 0; row < rows; row++) {
        const reading = made - resent + row;
        chunk.keys[row] = keys[reading % 100] as number;
        chunk.timestamps[row] = start + reading * 1000;
        chunk.values[row] = reading % 17;
      }
      made += rows - resent;
      assert.equal((await store.append(chunk)).stored, rows - resent, `append ${append}`);
    }
    assert.equal(await store.count(), made);
    await store.close();
  } finally {
    database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('an append that fails inside its transaction stores none of its readings; sent again, all of them are stored', async () => {
  await withStore(async (store, _dataDir, database) => {
    const chunk = chunkOf(
      store,
      Array.from({ length: 10 }, (_, i): [string, number, number] => [i % 2 === 0 ? 'a' : 'b', start + i, i]),
    );
    const connection = await database.connect();
    // The sensors' keys cannot be stored: the transaction fails after its readings were appended.
    await connection.run('ALTER TABLE sensor_keys RENAME TO sensor_keys_away');
    await assert.rejects(store.append(chunk));
    await connection.run('ALTER TABLE sensor_keys_away RENAME TO sensor_keys');
    assert.equal(await store.count(), 0, 'nothing of the failed append is stored');
    assert.deepEqual(await store.append(chunk), { stored: 10, duplicates: 0 });
    assert.equal(await store.count(), 10);
    const keys = await connection.runAndReadAll('SELECT id FROM sensor_keys ORDER BY id');
    assert.deepEqual(keys.getRows(), [['a'], ['b']], 'the keys are stored with them');
  });
});

test('chunks of growing and shrinking size appended one after another are each stored whole', async () => {
  await withStore(async (store) => {
    const rowsOf = (sensor: string, count: number, value: number): [string, number, number][] =>
      Array.from({ length: count }, (_, i): [string, number, number] => [
        sensor,
        start + i * 1000,
        value + i,
      ]);
    // The store keeps its row lists between appends: a larger chunk needs larger ones, a smaller
    // one after it reuses them.
    await store.append(chunkOf(store, rowsOf('a', 300, 0)));
    await store.append(chunkOf(store, rowsOf('c', 500, 5000)));
    await store.append(chunkOf(store, rowsOf('b', 200, 1000)));
    assert.equal(await store.count(), 1000);
    for (const [sensor, count, value] of [
      ['a', 300, 0],
      ['b', 200, 1000],
      ['c', 500, 5000],
    ] as const) {
      const series = await store.series({
        sensor,
        fromMillis: start,
        toMillis: start + count * 1000,
        stepMillis: 1000,
        aggregation: 'avg',
        resolution: 'raw',
      });
      assertSameSeries(
        series,
        rowsOf(sensor, count, value).map(([, ts, v]) => ({ ts, value: v })),
        sensor,
      );
    }
  });
});
