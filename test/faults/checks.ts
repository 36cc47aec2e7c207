import type pg from 'pg';

/** What ClickHouse holds of the stream's readings (`prefix-…` sensors). */
export interface StoredCounts {
  /** Distinct (sensor, ts) stored. */
  distinct: number;
  /** Rows in the raw table now (re-inserted copies may already be merged away). */
  rows: number;
  /**
   * Readings counted by the 1-minute rollup: every insert is counted there and never merged away,
   * so `inserted - distinct` is the number of duplicate inserts ever made.
   */
  inserted: number;
}

async function clickhouse(url: string, sql: string): Promise<string> {
  const response = await fetch(url, { method: 'POST', body: sql, signal: AbortSignal.timeout(60_000) });
  const text = await response.text();
  if (!response.ok) throw new Error(`ClickHouse: ${text}`);
  return text.trim();
}

export async function storedCounts(url: string, database: string, prefix: string): Promise<StoredCounts> {
  const like = `'${prefix}-%'`;
  const [rows, distinct] = (
    await clickhouse(
      url,
      `SELECT count(), uniqExact(sensor, ts) FROM ${database}.readings WHERE sensor LIKE ${like}`,
    )
  )
    .split('\t')
    .map(Number);
  const inserted = Number(
    await clickhouse(
      url,
      `SELECT countMerge(readings) FROM ${database}.rollup_hour WHERE sensor LIKE ${like}`,
    ),
  );
  return { rows: rows ?? 0, distinct: distinct ?? 0, inserted };
}

export interface MaintenanceCounts {
  alerts: number;
  distinctAlerts: number;
  workOrders: number;
  maxActivePerAsset: number;
  /** The sensors that raised at least one alert. */
  alertedSensors: string[];
  /** Every alert: sensor, event time and score, in time order. */
  alertTimes: {
    sensor: string;
    ts: number;
    score: number;
    evidence: { ts: number; value: number; score: number }[];
  }[];
}

export async function maintenanceCounts(pool: pg.Pool, prefix: string): Promise<MaintenanceCounts> {
  const alerts = await pool.query<{ n: string; d: string }>(
    `SELECT count(*) AS n, count(DISTINCT (sensor, ts)) AS d FROM alerts WHERE sensor LIKE $1`,
    [`${prefix}-%`],
  );
  const orders = await pool.query<{ n: string; m: string | null }>(
    `SELECT count(*) AS n, (SELECT max(c) FROM (SELECT count(*) AS c FROM work_orders
       WHERE status IN ('open', 'acknowledged') AND asset LIKE $1 GROUP BY asset) x) AS m
     FROM work_orders WHERE asset LIKE $1`,
    [`${prefix}-%`],
  );
  const alerted = await pool.query<{ sensor: string }>(
    `SELECT DISTINCT sensor FROM alerts WHERE sensor LIKE $1 ORDER BY sensor`,
    [`${prefix}-%`],
  );
  const times = await pool.query<{
    sensor: string;
    ts: string;
    score: number;
    evidence: { ts: number; value: number; score: number }[] | null;
  }>(
    `SELECT sensor, ts, (doc->>'score')::float8 AS score, doc->'evidence' AS evidence
     FROM alerts WHERE sensor LIKE $1 ORDER BY ts`,
    [`${prefix}-%`],
  );
  return {
    alertTimes: times.rows.map((row) => ({
      sensor: row.sensor,
      ts: Number(row.ts),
      score: row.score,
      evidence: row.evidence ?? [],
    })),
    alertedSensors: alerted.rows.map((row) => row.sensor),
    alerts: Number(alerts.rows[0]?.n ?? 0),
    distinctAlerts: Number(alerts.rows[0]?.d ?? 0),
    workOrders: Number(orders.rows[0]?.n ?? 0),
    maxActivePerAsset: Number(orders.rows[0]?.m ?? 0),
  };
}
