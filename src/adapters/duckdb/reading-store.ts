import type { DuckDBConnection } from '@duckdb/node-api';
import type { LatestValue, SeriesPoint } from '../../ports/reading-queries.ts';
import type {
  AppendResult,
  KeyedReadings,
  ReadingHistory,
  ReadingsAfterQuery,
  ReadingStore,
  RetentionPolicy,
  SeriesQuery,
  StoredReadings,
} from '../../ports/reading-store.ts';
import { appendSensorKeys, ReadingChunkAppender } from './chunk-appender.ts';
import type { Database } from './database.ts';
import {
  allReadings,
  clearSuspects,
  clusterRecent,
  readingSchema,
  rollupCompaction,
  rollupOfRecent,
  rollupsAtSort,
} from './reading-schema.ts';
import {
  keyBlocks,
  keyBlocksSql,
  recentSlices,
  sliceCondition,
  tailBlocks,
  tailBlocksSql,
  tailOldestSql,
} from './recent-slices.ts';
import { readingsAfter } from './readings-after.ts';
import { integerLiteral, seriesSql } from './series-sql.ts';
import { SensorLatest } from './sensor-latest.ts';
import { inTransaction } from './transaction.ts';
import { SensorKeys } from '../../core/readings/sensor-keys.ts';

/**
 * Records the store's format in a new file. A file made before (its recent tail rolled up by every
 * append) gets its tail moved into the sorted table as it is, in the transaction that records the
 * format: rolled up again at the next sort, or added to the rollups by readers, it would count twice.
 */
async function upgradeRollups(connection: DuckDBConnection, existed: boolean): Promise<void> {
  const format = await connection.runAndReadAll('SELECT rollups FROM reading_store_format');
  if (format.currentRowCount > 0) return;
  await inTransaction(connection, async () => {
    if (existed) for (const sql of clusterRecent) await connection.run(sql);
    await connection.run('INSERT INTO reading_store_format VALUES ($1)', [rollupsAtSort]);
  });
}

/** Rows of a chunk to append: those newer than their sensor's newest, and the others. */
interface RowLists {
  fresh: Uint32Array;
  suspects: Uint32Array;
}

/**
 * ReadingStore on DuckDB. Raw readings (UINTEGER sensor key, BIGINT ms, DOUBLE) go to
 * `readings_recent`, appended in the transaction that stores them, then in sorted runs to `readings`
 * (see reading-schema.ts); a run's rollups are written by DuckDB in the transaction that moves
 * it, and readers add the recent tail's readings to them meanwhile. Idempotency: a reading newer
 * than its sensor's newest stored ts is new by construction; only the others ("suspects") are
 * checked against the table with an anti join.
 * A reading older than the raw retention is stored like any other (a backfill of history fills the
 * rollups, which are kept longer); re-sent once retention has deleted its raw row, it cannot be
 * told from a new one, and the rollups count it again.
 */
export class DuckDbReadingStore implements ReadingStore, ReadingHistory {
  private readonly keys = new SensorKeys();
  private persistedKeyCount = 0;
  private readonly latestBySensor = new SensorLatest();
  /**
   * The row lists of `split`, kept between appends: made for each append (two `Uint32Array`s of
   * a chunk's length, 4 MB for 500,000 readings), they were new memory every time. An append takes
   * them (or larger ones, for a larger chunk) and keeps them for the next when done.
   */
  private rowLists: RowLists | undefined;
  private readonly chunkAppender = new ReadingChunkAppender();
  /** Per rollup table, the first bucket with partial rows to compact (infinity: none). */
  private readonly dirtyFrom = {
    rollup_minute: Number.POSITIVE_INFINITY,
    rollup_hour: Number.POSITIVE_INFINITY,
  };
  private recentRows = 0;

  /**
   * `connection` writes (appends, clustering, compaction, retention, in transactions); `reader`
   * answers queries, so that a query arriving mid-append neither breaks the append's appender nor
   * sees its uncommitted rows (DuckDB gives each connection's query a committed snapshot).
   */
  private constructor(
    private readonly connection: DuckDBConnection,
    private readonly reader: DuckDBConnection,
    private readonly clusterRows: number,
    private readonly rollupSliceRows: number,
    private readonly onCompaction: (error: unknown) => void,
  ) {}

  /**
   * Opens the store's tables in `database`. `clusterRows`: size of the recent tail at which it is
   * sorted into the clustered table (larger runs: faster one-sensor scans, longer pauses).
   */
  static async open(
    database: Database,
    options: {
      clusterRows?: number;
      /** Readings of the recent tail grouped into rollups at once (see `recentSlices`). */
      rollupSliceRows?: number;
      /** Told how each checkpoint's compaction of the rollups went: its error, or undefined. */
      onCompaction?: (error: unknown) => void;
    } = {},
  ): Promise<DuckDbReadingStore> {
    const clusterRows = options.clusterRows ?? 4_000_000;
    if (!(clusterRows >= 1)) throw new RangeError(`clusterRows must be >= 1, got ${clusterRows}`);
    const rollupSliceRows = options.rollupSliceRows ?? 500_000;
    if (!(rollupSliceRows >= 1)) throw new RangeError(`rollupSliceRows must be >= 1, got ${rollupSliceRows}`);
    const connection = await database.connect();
    const tables = await connection.runAndReadAll(
      "SELECT 1 FROM duckdb_tables() WHERE table_name = 'readings_recent' AND database_name = current_database()",
    );
    for (const sql of readingSchema) await connection.run(sql);
    await upgradeRollups(connection, tables.currentRowCount > 0);
    const store = new DuckDbReadingStore(
      connection,
      await database.connect(),
      clusterRows,
      rollupSliceRows,
      options.onCompaction ?? (() => undefined),
    );
    await store.load();
    return store;
  }

  private async load(): Promise<void> {
    const keys = await this.connection.runAndReadAll('SELECT key, id FROM sensor_keys ORDER BY key');
    for (const [key, id] of keys.getRows()) this.keys.load(Number(key), String(id));
    this.persistedKeyCount = this.keys.size;
    const recent = await this.connection.runAndReadAll('SELECT count(*) FROM readings_recent');
    this.recentRows = Number(recent.getRows()[0]?.[0] ?? 0);
    const latest = await this.connection.runAndReadAll(
      `SELECT sensor, max(ts), arg_max(value, ts) FROM ${allReadings('true')} GROUP BY sensor`,
    );
    const expired = await this.connection.runAndReadAll('SELECT sensor, ts, value FROM expired_latest');
    for (const [sensor, ts, value] of [...latest.getRows(), ...expired.getRows()]) {
      this.latestBySensor.offer(Number(sensor), Number(ts), Number(value));
    }
  }

  sensorKey(sensor: string): number {
    return this.keys.keyOf(sensor);
  }

  sensorId(key: number): string | undefined {
    return this.keys.idOf(key);
  }

  async append(chunk: KeyedReadings): Promise<AppendResult> {
    const lists = this.takeRowLists(chunk.length);
    try {
      return await this.appendSplit(chunk, lists);
    } finally {
      this.rowLists = lists;
    }
  }

  private takeRowLists(length: number): RowLists {
    const kept = this.rowLists;
    this.rowLists = undefined;
    if (kept !== undefined && kept.fresh.length >= length) return kept;
    return { fresh: new Uint32Array(length), suspects: new Uint32Array(length) };
  }

  private async appendSplit(chunk: KeyedReadings, lists: RowLists): Promise<AppendResult> {
    const { suspects, fresh, freshCount, suspectCount } = this.split(chunk, lists);
    const newKeys = this.keys
      .idsFrom(this.persistedKeyCount)
      .map((id, i) => [this.persistedKeyCount + i, id] as const);
    const connection = this.connection;
    let stored = 0;
    try {
      if (suspectCount > 0) await this.appendRows('staging_suspect', chunk, suspects, suspectCount);
      // Appended inside the transaction, so rolled back with it: no copy through a staging table.
      await inTransaction(connection, async () => {
        await this.appendRows('readings_recent', chunk, fresh, freshCount);
        stored = freshCount;
        if (suspectCount > 0) stored += await this.admitSuspects(chunk, suspects, suspectCount);
        if (newKeys.length > 0) {
          const keyAppender = await connection.createAppender('sensor_keys');
          appendSensorKeys(keyAppender, newKeys);
          keyAppender.closeSync();
        }
      });
    } catch (error) {
      // The suspects' table is emptied, but a failure there must not hide why the append failed.
      if (suspectCount > 0) await connection.run(clearSuspects).catch(() => undefined);
      throw error;
    }
    if (suspectCount > 0) await connection.run(clearSuspects);
    this.persistedKeyCount += newKeys.length;
    this.recentRows += stored;
    if (this.recentRows >= this.clusterRows) await this.cluster();
    return { stored, duplicates: chunk.length - stored };
  }

  /** Rolls the recent tail up and moves it into the sorted table as one run. */
  async cluster(): Promise<void> {
    if (this.recentRows === 0) return;
    let oldest = Number.POSITIVE_INFINITY;
    await inTransaction(this.connection, async () => {
      oldest = await this.recentOldest();
      const blocks = await this.connection.runAndReadAll(tailBlocksSql);
      const slices = recentSlices(tailBlocks(blocks.getRows()), this.rollupSliceRows);
      for (const slice of slices) {
        for (const sql of rollupOfRecent(sliceCondition(slice))) await this.connection.run(sql);
      }
      for (const sql of clusterRecent) await this.connection.run(sql);
    });
    this.noteDirty(oldest);
    this.recentRows = 0;
  }

  /** Oldest timestamp in the recent tail (infinity: none). */
  private async recentOldest(): Promise<number> {
    const oldest = (await this.connection.runAndReadAll(tailOldestSql)).getRows()[0]?.[0];
    return oldest === null || oldest === undefined ? Number.POSITIVE_INFINITY : Number(oldest);
  }

  private async inTransaction(statements: readonly string[]): Promise<void> {
    await inTransaction(this.connection, async () => {
      for (const sql of statements) await this.connection.run(sql);
    });
  }

  /** Rows newer than everything stored for their sensor are fresh; the rest need a check. */
  private split(chunk: KeyedReadings, lists: RowLists) {
    const { fresh, suspects } = lists;
    let freshCount = 0;
    let suspectCount = 0;
    for (let row = 0; row < chunk.length; row++) {
      const key = chunk.keys[row] as number;
      const ts = chunk.timestamps[row] as number;
      if (this.latestBySensor.offer(key, ts, chunk.values[row] as number)) fresh[freshCount++] = row;
      else suspects[suspectCount++] = row;
    }
    return { fresh, suspects, freshCount, suspectCount };
  }

  /** Appends the listed rows of `chunk` to the table (the temp catalog's suspects or the stored tail). */
  private async appendRows(
    table: 'staging_suspect' | 'readings_recent',
    chunk: KeyedReadings,
    rows: Uint32Array,
    count: number,
  ): Promise<void> {
    if (count === 0) return;
    const catalog = table === 'staging_suspect' ? 'temp' : null;
    const appender = await this.connection.createAppender(table, null, catalog);
    this.chunkAppender.append(appender, chunk.keys, chunk.timestamps, chunk.values, rows, count);
    appender.closeSync();
  }

  /**
   * Stores the suspects that are not stored already (the chunk's fresh readings, appended before,
   * included), one per (sensor, ts): the first in chunk order (staging_suspect's row ids follow it),
   * as the first value stored wins. Returns how many were stored.
   */
  private async admitSuspects(chunk: KeyedReadings, rows: Uint32Array, count: number): Promise<number> {
    let minTs = Number.POSITIVE_INFINITY;
    let maxTs = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < count; i++) {
      const ts = chunk.timestamps[rows[i] as number] as number;
      if (ts < minTs) minTs = ts;
      if (ts > maxTs) maxTs = ts;
    }
    const range = `ts BETWEEN ${integerLiteral(minTs)} AND ${integerLiteral(maxTs)}`;
    const inserted = await this.connection.run(
      'INSERT INTO readings_recent SELECT s.sensor, s.ts, arg_min(s.value, s.rowid) FROM staging_suspect s ' +
        `ANTI JOIN ${allReadings(range, 'sensor, ts')} r ON s.sensor = r.sensor AND s.ts = r.ts ` +
        'GROUP BY s.sensor, s.ts',
    );
    return inserted.rowsChanged;
  }

  /** Notes that rollup buckets from `minTs` on may have several partial rows to compact. */
  private noteDirty(minTs: number): void {
    if (minTs === Number.POSITIVE_INFINITY) return;
    const dirty = this.dirtyFrom;
    dirty.rollup_minute = Math.min(dirty.rollup_minute, minTs - (minTs % 60_000));
    dirty.rollup_hour = Math.min(dirty.rollup_hour, minTs - (minTs % 3_600_000));
  }

  /**
   * Merges the partial rollup rows written since the last compaction, a slice of sensor keys per
   * transaction (grouping a million sensors' rows at once ran DuckDB out of its 64 MB). A table
   * whose compaction failed keeps its buckets marked for the next one.
   */
  async compactRollups(): Promise<void> {
    const dirty = this.dirtyFrom;
    for (const table of ['rollup_minute', 'rollup_hour'] as const) {
      const from = dirty[table];
      if (from === Number.POSITIVE_INFINITY) continue;
      dirty[table] = Number.POSITIVE_INFINITY;
      try {
        const blocks = await this.connection.runAndReadAll(
          keyBlocksSql(table, `bucket >= ${integerLiteral(from)}`),
        );
        // A quarter of the tail's slices: merging partial rows holds more per row than grouping
        // readings (at a million sensors, slices of 500,000 rows ran 48 MB out, of 250,000 40 MB).
        const sliceRows = Math.max(1, Math.floor(this.rollupSliceRows / 4));
        for (const slice of recentSlices(keyBlocks(blocks.getRows()), sliceRows))
          await this.inTransaction(rollupCompaction(table, from, slice));
      } catch (error) {
        dirty[table] = Math.min(dirty[table], from);
        throw error;
      }
    }
  }

  /**
   * Sorts a recent tail of at least half a run into the clustered table, compacts rollups,
   * checkpoints. A compaction that fails does not stop the rest: readers merge partial rows
   * anyway, and the write-ahead log is only truncated after a checkpoint. At a million sensors
   * the compaction could run DuckDB out of its 64 MB at every checkpoint of a long load, and the
   * log then grew until ingest answered 503.
   */
  async checkpoint(): Promise<void> {
    if (this.recentRows >= this.clusterRows / 2) await this.cluster();
    let failure: unknown;
    try {
      await this.compactRollups();
    } catch (error) {
      failure = error;
    }
    await this.checkpointWhenIdle();
    this.onCompaction(failure);
  }

  /**
   * CHECKPOINT refuses to run while another connection (registry, detectors) has a write
   * transaction open, so it is retried for a while. If it never gets a turn, nothing is lost:
   * every append was committed, and a DuckDB commit is synced to DuckDB's own log.
   */
  private async checkpointWhenIdle(attempts = 40, pauseMillis = 50): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.connection.run('CHECKPOINT');
        return;
      } catch (error) {
        if (!/other write transactions active/i.test(String(error))) throw error;
        if (attempt >= attempts) return;
        await new Promise((resolve) => setTimeout(resolve, pauseMillis));
      }
    }
  }

  async series(query: SeriesQuery): Promise<SeriesPoint[]> {
    const key = this.keys.find(query.sensor);
    if (key === undefined || key >= this.persistedKeyCount) return [];
    const rows = await this.reader.runAndReadAll(seriesSql(query, key));
    return rows.getRows().map(([bucket, value]) => ({ ts: Number(bucket), value: Number(value) }));
  }

  readingsAfter(query: ReadingsAfterQuery): Promise<StoredReadings> {
    return readingsAfter(this.reader, this.keys, query);
  }

  async latest(sensors: readonly string[]): Promise<Map<string, LatestValue>> {
    const result = new Map<string, LatestValue>();
    for (const sensor of sensors) {
      const key = this.keys.find(sensor);
      if (key === undefined) continue;
      const latest = this.latestBySensor.get(key);
      if (latest !== undefined) result.set(sensor, latest);
    }
    return result;
  }

  /**
   * Deletes raw readings and rollup buckets older than the policy keeps them, in one transaction;
   * the newest of each sensor's deleted readings is kept in `expired_latest` for `latest`.
   */
  async applyRetention(nowMillis: number, policy: RetentionPolicy): Promise<number> {
    const horizon = (keepMillis: number | undefined) =>
      keepMillis === undefined ? undefined : Math.floor(nowMillis - keepMillis);
    const rawBefore = horizon(policy.rawMillis);
    // Recent readings about to be deleted are rolled up first: their rollups are kept longer.
    if (rawBefore !== undefined && (await this.recentOldest()) < rawBefore) await this.cluster();
    // A rollup bucket goes once it ends at or before its horizon: one holding the horizon keeps the
    // readings after it (and those before it in the bucket, as ClickHouse keeps a day that does).
    const bucketBefore = (keepMillis: number | undefined, width: number) => {
      const before = horizon(keepMillis);
      return before === undefined ? undefined : before - width + 1;
    };
    const jobs: [string, string, number | undefined][] = [
      ['readings', 'ts', rawBefore],
      ['readings_recent', 'ts', rawBefore],
      ['rollup_minute', 'bucket', bucketBefore(policy.minuteMillis, 60_000)],
      ['rollup_hour', 'bucket', bucketBefore(policy.hourMillis, 3_600_000)],
    ];
    let deleted = 0;
    let recentDeleted = 0;
    await inTransaction(this.connection, async () => {
      if (rawBefore !== undefined) await this.keepExpiringLatest(rawBefore);
      for (const [table, column, before] of jobs) {
        if (before === undefined) continue;
        const result = await this.connection.run(
          `DELETE FROM ${table} WHERE ${column} < ${integerLiteral(before)}`,
        );
        deleted += result.rowsChanged;
        if (table === 'readings_recent') recentDeleted = result.rowsChanged;
      }
    });
    this.recentRows -= recentDeleted;
    return deleted;
  }

  /**
   * Before raw readings older than `before` are deleted: the latest value of each sensor with no
   * newer reading goes to `expired_latest`, read back at the next start.
   */
  private async keepExpiringLatest(before: number): Promise<void> {
    const rows: string[] = [];
    this.latestBySensor.forEachOlderThan(before, (key, ts, value) => {
      // The value as text cast to DOUBLE reads back bit for bit (a decimal literal might not).
      rows.push(`(${key}, ${integerLiteral(ts)}, '${String(value)}'::DOUBLE)`);
    });
    for (let start = 0; start < rows.length; start += 10_000) {
      const values = rows.slice(start, start + 10_000).join(', ');
      await this.connection.run(`INSERT OR REPLACE INTO expired_latest VALUES ${values}`);
    }
  }

  async count(): Promise<number> {
    const rows = await this.reader.runAndReadAll(`SELECT count(*) FROM ${allReadings('true')}`);
    return Number(rows.getRows()[0]?.[0] ?? 0);
  }

  async close(): Promise<void> {
    this.reader.closeSync();
    this.connection.closeSync();
  }
}
