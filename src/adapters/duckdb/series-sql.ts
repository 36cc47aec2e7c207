import type { Aggregation } from '../../ports/reading-queries.ts';
import { seriesSegments, type SeriesSegment } from '../../core/readings/series-segments.ts';
import { resolutionMillis, type Rollup, type SeriesQuery } from '../../ports/reading-store.ts';
import { allReadings } from './reading-schema.ts';

const rawExpressions: Record<Aggregation, string> = {
  avg: 'avg(value)',
  min: 'min(value)',
  max: 'max(value)',
  sum: 'sum(value)',
  count: 'count(*)::DOUBLE',
  last: 'arg_max(value, ts)',
};

const rollupExpressions: Record<Aggregation, string> = {
  avg: 'sum(sum) / sum(count)',
  min: 'min(min)',
  max: 'max(max)',
  sum: 'sum(sum)',
  count: 'sum(count)::DOUBLE',
  last: 'arg_max(last, last_ts)',
};

/** Integer literal for SQL text; refuses anything that is not a safe integer. */
export function integerLiteral(value: number): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`not a safe integer: ${value}`);
  return String(value);
}

/** Rollup tables by bucket width, and the rollups a query at each resolution may read (coarsest first). */
const rollupTables = new Map([
  [resolutionMillis.hour, 'rollup_hour'],
  [resolutionMillis.minute, 'rollup_minute'],
]);
const rollupWidths: Record<Rollup, number[]> = {
  hour: [resolutionMillis.hour, resolutionMillis.minute],
  minute: [resolutionMillis.minute],
};

/** Rows of partial aggregates (bucket, min, max, sum, count, last, last_ts) of one segment. */
function segmentRows(segment: SeriesSegment, sensor: string): string {
  const from = integerLiteral(segment.fromMillis);
  const to = integerLiteral(segment.toMillis);
  const table = rollupTables.get(segment.widthMillis);
  if (table === undefined) {
    const where = `sensor = ${sensor} AND ts >= ${from} AND ts < ${to}`;
    return `SELECT ts, value, value, value, 1, value, ts FROM ${allReadings(where)}`;
  }
  // The recent tail is not rolled up yet (see `clusterRecent`): its readings count as they are.
  return (
    `SELECT bucket, min, max, sum, count, last, last_ts FROM ${table} ` +
    `WHERE sensor = ${sensor} AND bucket >= ${from} AND bucket < ${to} UNION ALL ` +
    `SELECT ts - ts % ${integerLiteral(segment.widthMillis)}, value, value, value, 1, value, ts ` +
    `FROM readings_recent WHERE sensor = ${sensor} AND ts >= ${from} AND ts < ${to}`
  );
}

/**
 * SELECT (bucket, value) of one sensor key for a series query, ordered by bucket. At a rollup
 * resolution the whole rollup buckets inside [from, to) come from the rollup and the ends from
 * finer data (see `seriesSegments`), so the answer is the one raw readings give.
 */
export function seriesSql(query: SeriesQuery, key: number): string {
  const step = integerLiteral(query.stepMillis);
  const from = integerLiteral(query.fromMillis);
  const to = integerLiteral(query.toMillis);
  const sensor = integerLiteral(key);
  const segments =
    query.resolution === 'raw'
      ? []
      : seriesSegments(query.fromMillis, query.toMillis, rollupWidths[query.resolution]);
  if (segments.every((segment) => segment.widthMillis === 0)) {
    return (
      `SELECT ts - ts % ${step} AS bucket, ${rawExpressions[query.aggregation]} AS value ` +
      `FROM ${allReadings(`sensor = ${sensor} AND ts >= ${from} AND ts < ${to}`)} GROUP BY bucket ORDER BY bucket`
    );
  }
  const rows = segments.map((segment) => segmentRows(segment, sensor)).join(' UNION ALL ');
  return (
    `SELECT bucket - bucket % ${step} AS step_bucket, ${rollupExpressions[query.aggregation]} AS value ` +
    `FROM (${rows}) AS parts (bucket, min, max, sum, count, last, last_ts) ` +
    'GROUP BY step_bucket ORDER BY step_bucket'
  );
}
