/** The columns a reading is written with: `readings_local`'s, and a guarded insert's batch (RowBinary). */
export const readingColumns = 'sensor String, ts UInt64, value Float64';

/** Query ids of inserts revoked after they failed on the writer's side (`guardedInsert`). */
export const revokedInsertsTable = 'revoked_inserts';

/**
 * Tables on every ClickHouse shard (ClickHouse 18.16 dialect: no TTL, no query parameters).
 * `readings_local` holds this shard's readings, ordered by sensor and time and partitioned by day
 * (retention drops whole partitions); ReplacingMergeTree folds a re-inserted (sensor, ts) on merge.
 * Materialized views keep a 1-hour rollup, and with `minuteRollup` a 1-minute one, as aggregate
 * states. `readings`, `rollup_hour` and `rollup_minute` are Distributed tables reading every shard
 * of `cluster`.
 */
export function schemaStatements(cluster: string, database: string, minuteRollup: boolean): string[] {
  const rollup = (name: string, widthMillis: number): string =>
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${database}.${name}_local ` +
    `ENGINE = AggregatingMergeTree() PARTITION BY toDate(intDiv(bucket, 1000)) ORDER BY (sensor, bucket) AS ` +
    `SELECT sensor, intDiv(ts, ${widthMillis}) * ${widthMillis} AS bucket, minState(value) AS min_value, ` +
    `maxState(value) AS max_value, sumState(value) AS sum_value, countState() AS readings, ` +
    `argMaxState(value, ts) AS last_value FROM ${database}.readings_local GROUP BY sensor, bucket`;
  const distributed = (name: string): string =>
    `CREATE TABLE IF NOT EXISTS ${database}.${name} AS ${database}.${name}_local ` +
    `ENGINE = Distributed(${cluster}, ${database}, ${name}_local)`;
  return [
    `CREATE DATABASE IF NOT EXISTS ${database}`,
    `CREATE TABLE IF NOT EXISTS ${database}.readings_local (${readingColumns}, ` +
      `day Date MATERIALIZED toDate(intDiv(ts, 1000))) ` +
      `ENGINE = ReplacingMergeTree() PARTITION BY day ORDER BY (sensor, ts)`,
    // Query ids of inserts that failed on the writer's side and must not store anything if the
    // server runs them later (`guardedInsert`): a row per failed write.
    `CREATE TABLE IF NOT EXISTS ${database}.${revokedInsertsTable} (id String) ENGINE = MergeTree() ORDER BY id`,
    rollup('rollup_hour', 3_600_000),
    distributed('readings'),
    distributed('rollup_hour'),
    ...(minuteRollup ? [rollup('rollup_minute', 60_000), distributed('rollup_minute')] : []),
  ];
}

/** A string literal for ClickHouse SQL (18.16 has no query parameters). */
export function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
