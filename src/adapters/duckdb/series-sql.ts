import type { Aggregation } from '../../ports/reading-queries.ts';
import type { SeriesQuery } from '../../ports/reading-store.ts';
import { allReadings } from './reading-schema.ts';

const rawExpressions: Record<Aggregation, string> = {
  avg: 'avg(value)',
  min: 'min(value)',
  max: 'max(value)',
  count: 'count(*)::DOUBLE',
  last: 'arg_max(value, ts)',
};

const rollupExpressions: Record<Aggregation, string> = {
  avg: 'sum(sum) / sum(count)',
  min: 'min(min)',
  max: 'max(max)',
  count: 'sum(count)::DOUBLE',
  last: 'arg_max(last, last_ts)',
};

/** Integer literal for SQL text; refuses anything that is not a safe integer. */
export function integerLiteral(value: number): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`not a safe integer: ${value}`);
  return String(value);
}

/** SELECT (bucket, value) of one sensor key for a series query, ordered by bucket. */
export function seriesSql(query: SeriesQuery, key: number): string {
  const step = integerLiteral(query.stepMillis);
  const from = integerLiteral(query.fromMillis);
  const to = integerLiteral(query.toMillis);
  const sensor = integerLiteral(key);
  if (query.resolution === 'raw') {
    return (
      `SELECT ts - ts % ${step} AS bucket, ${rawExpressions[query.aggregation]} AS value ` +
      `FROM ${allReadings(`sensor = ${sensor} AND ts >= ${from} AND ts < ${to}`)} GROUP BY bucket ORDER BY bucket`
    );
  }
  const table = query.resolution === 'minute' ? 'rollup_minute' : 'rollup_hour';
  const width = query.resolution === 'minute' ? 60_000 : 3_600_000;
  return (
    `SELECT bucket - bucket % ${step} AS step_bucket, ${rollupExpressions[query.aggregation]} AS value ` +
    `FROM ${table} WHERE sensor = ${sensor} AND bucket >= ${from} - ${from} % ${width} AND bucket < ${to} ` +
    'GROUP BY step_bucket ORDER BY step_bucket'
  );
}
