/**
 * Tables of the DuckDB reading store. Timestamps are BIGINT epoch milliseconds. Raw readings are
 * appended to `readings_recent` in arrival order and moved, sorted by (sensor, ts), into `readings`
 * in large runs: each row group then spans few sensors, so a one-sensor scan skips most of them by
 * their min/max statistics, and sorted columns compress about twice as well.
 */
export const readingSchema = [
  'CREATE TABLE IF NOT EXISTS sensor_keys (key UINTEGER NOT NULL, id VARCHAR NOT NULL)',
  'CREATE TABLE IF NOT EXISTS readings (sensor UINTEGER NOT NULL, ts BIGINT NOT NULL, value DOUBLE NOT NULL)',
  'CREATE TABLE IF NOT EXISTS readings_recent (sensor UINTEGER NOT NULL, ts BIGINT NOT NULL, value DOUBLE NOT NULL)',
  // The newest reading of each sensor among the raw readings retention deleted, so that a sensor
  // silent for longer than the raw retention still has its latest value after a restart.
  'CREATE TABLE IF NOT EXISTS expired_latest (sensor UINTEGER PRIMARY KEY, ts BIGINT NOT NULL, value DOUBLE NOT NULL)',
  rollupTable('rollup_minute'),
  rollupTable('rollup_hour'),
  // How the rollups are written (`rollupsAtSort`); a file made before has no row.
  'CREATE TABLE IF NOT EXISTS reading_store_format (rollups VARCHAR NOT NULL)',
  suspectTable('CREATE TEMP TABLE IF NOT EXISTS'),
];

/** Readings that may be stored already, checked against the tables before they are stored. */
function suspectTable(create: string): string {
  return `${create} staging_suspect (sensor UINTEGER, ts BIGINT, value DOUBLE)`;
}

/**
 * Empties the suspects' table by making it anew. DuckDB keeps the storage of rows deleted from an
 * in-memory (temp) table, which is never checkpointed: emptied with DELETE after every append, it
 * held memory that grew with every reading stored (about 1 MB a million), until a memory limit
 * stopped the store ("Out of Memory Error" at 58 million readings with 64 MB).
 */
export const clearSuspects = suspectTable('CREATE OR REPLACE TEMP TABLE');

/** Every raw reading, sorted runs and the recent tail together, filtered by `where` on each. */
export function allReadings(where: string, columns = '*'): string {
  return `(SELECT ${columns} FROM readings WHERE ${where} UNION ALL SELECT ${columns} FROM readings_recent WHERE ${where})`;
}

/**
 * SQL that writes the partial rollups of the recent tail's readings matching `where`, one row per
 * sensor and bucket (see `recentSlices` for why a slice at a time). Before a run is moved, these
 * replace what an append of its own wrote before: one row per sensor and bucket it touched, at a
 * million sensors one row per reading. Until then readers take the tail's readings as they are.
 */
export function rollupOfRecent(where: string): string[] {
  return [rollupInsert('rollup_minute', 60_000, where), rollupInsert('rollup_hour', 3_600_000, where)];
}

function rollupInsert(table: string, widthMillis: number, where: string): string {
  return (
    `INSERT INTO ${table} SELECT sensor, ts - ts % ${widthMillis} AS bucket, min(value), max(value), ` +
    `sum(value), count(*)::UINTEGER, arg_max(value, ts), max(ts) FROM readings_recent WHERE ${where} ` +
    // In key order, so that a compaction's slice of keys deletes from few of the table's vectors.
    'GROUP BY sensor, bucket ORDER BY sensor, bucket'
  );
}

/**
 * The format of a store whose rollups are written when a run is sorted in. Files made before wrote
 * them with every append: their recent tail is rolled up already, and is moved without rolling it
 * up again when such a file is opened (`upgradeRollups`).
 */
export const rollupsAtSort = 'at-sort';

/** Moves the recent tail into the sorted table as one run (inside a transaction, after its rollups). */
export const clusterRecent = [
  'INSERT INTO readings SELECT * FROM readings_recent ORDER BY sensor, ts',
  'DELETE FROM readings_recent',
];

/**
 * A rollup table holds partial aggregates: one (sensor, bucket) may have several rows, one per
 * sorted run that touched it, until compaction merges them. Readers always merge with GROUP BY,
 * and add the readings of the recent tail, not rolled up yet.
 */
function rollupTable(name: string): string {
  return (
    `CREATE TABLE IF NOT EXISTS ${name} (sensor UINTEGER NOT NULL, bucket BIGINT NOT NULL, ` +
    'min DOUBLE NOT NULL, max DOUBLE NOT NULL, sum DOUBLE NOT NULL, count UINTEGER NOT NULL, ' +
    'last DOUBLE NOT NULL, last_ts BIGINT NOT NULL)'
  );
}

/**
 * SQL that merges the partial rows of buckets at or after `fromBucket` whose sensor key is in
 * `[fromKey, toKey)` into one row each (a slice of keys at a time: see `recentSlices`).
 */
export function rollupCompaction(
  table: string,
  fromBucket: number,
  keys: { fromKey: number; toKey: number },
): string[] {
  const where = (alias: string) =>
    `${alias}bucket >= ${fromBucket} AND ${alias}sensor >= ${keys.fromKey} AND ${alias}sensor < ${keys.toKey}`;
  return [
    'CREATE OR REPLACE TEMP TABLE merged AS SELECT sensor, bucket, min(min) AS min, max(max) AS max, ' +
      'sum(sum) AS sum, sum(count)::UINTEGER AS count, arg_max(last, last_ts) AS last, max(last_ts) AS last_ts ' +
      `FROM ${table} WHERE ${where('')} GROUP BY sensor, bucket HAVING count(*) > 1`,
    `DELETE FROM ${table} t USING merged m WHERE ${where('t.')} AND t.sensor = m.sensor AND t.bucket = m.bucket`,
    `INSERT INTO ${table} SELECT * FROM merged ORDER BY sensor, bucket`,
    'DROP TABLE merged',
  ];
}
