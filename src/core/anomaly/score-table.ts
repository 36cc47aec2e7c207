import type { DelimitedTable, TableResult } from './delimited.ts';
import { readNumericSeries } from './delimited.ts';
import type { DetectorSpec } from './detector.ts';
import { fuseMax } from './fusion.ts';
import { scoreSeries } from './score-series.ts';

export interface ScoredTable {
  /** The value columns that were scored. */
  columns: string[];
  /** The input rows with `anomaly_score` and `detection` appended, in the input's delimiter. */
  text: string;
  scores: Float64Array;
}

const TIME_COLUMN = /^(timestamp|time|date|datetime|ts)$/i;

/**
 * Scores every numeric column of a table with its own detector and fuses the per-column scores.
 * A value column is any column other than the timestamp whose first row holds a number.
 */
export function scoreTable(
  spec: DetectorSpec,
  table: DelimitedTable,
  source: string,
  threshold: number,
): TableResult<ScoredTable> {
  const timeIndex = Math.max(
    0,
    table.header.findIndex((name) => TIME_COLUMN.test(name)),
  );
  const first = table.rows[0];
  if (first === undefined) return { ok: false, reason: `${source}: no data rows` };
  const columns = table.header.filter(
    (name, index) =>
      index !== timeIndex &&
      (first[index] ?? '') !== '' &&
      Number.isFinite(Number((first[index] as string).replace(',', '.'))),
  );
  if (columns.length === 0)
    return {
      ok: false,
      reason: `${source}: row 2 has no numeric column besides '${table.header[timeIndex] as string}'`,
    };
  const series = readNumericSeries(table, source, columns);
  if (!series.ok) return series;
  const perColumn = columns.map((name) =>
    scoreSeries(spec, series.value.timestampsMillis, series.value.columns.get(name) as Float64Array),
  );
  const scores = new Float64Array(table.rows.length);
  const d = table.delimiter;
  const lines = [[...table.header, 'anomaly_score', 'detection'].join(d)];
  for (let r = 0; r < table.rows.length; r++) {
    const score = fuseMax(perColumn.map((column) => column[r] as number));
    scores[r] = score;
    lines.push([...(table.rows[r] as string[]), score.toFixed(6), score >= threshold ? '1' : '0'].join(d));
  }
  return { ok: true, value: { columns, text: lines.join('\n') + '\n', scores } };
}
