import { formatRecord } from '../csv.ts';
import type { DelimitedTable, TableResult } from './delimited.ts';
import { isEmptyCell, parseNumber, readNumericSeries, timeColumnIndex } from './delimited.ts';
import type { DetectorSpec } from './detector.ts';
import { fuseMax } from './fusion.ts';
import { scoreSeries } from './score-series.ts';

export interface ScoredTable {
  /** The value columns that were scored. */
  columns: string[];
  /** The other non-timestamp columns, each with why it was not scored. */
  skipped: { column: string; reason: string }[];
  /** Per scored column, its empty cells: missing readings that its detector never saw. */
  emptyCells: Map<string, number>;
  /** The input rows with `anomaly_score` and `detection` appended, in the input's delimiter. */
  text: string;
  scores: Float64Array;
}

/**
 * Scores every numeric column of a table with its own detector and fuses the per-column scores.
 * A value column is any column other than the timestamp that has a non-empty cell and whose
 * non-empty cells are all numbers. An empty cell is a missing reading: that column's detector skips
 * the row, and the row's score fuses the columns that have a reading (0 when none has).
 */
export function scoreTable(
  spec: DetectorSpec,
  table: DelimitedTable,
  source: string,
  threshold: number,
): TableResult<ScoredTable> {
  const timeIndex = timeColumnIndex(table.header);
  if (table.rows.length === 0) return { ok: false, reason: `${source}: no data rows` };
  const columns: string[] = [];
  const skipped: { column: string; reason: string }[] = [];
  table.header.forEach((column, index) => {
    if (index === timeIndex) return;
    const reason = whyNotNumeric(table, index);
    if (reason === undefined) columns.push(column);
    else skipped.push({ column, reason });
  });
  if (columns.length === 0) {
    const reasons = skipped.map(({ column, reason }) => `'${column}': ${reason}`).join('; ');
    return {
      ok: false,
      reason: `${source}: no numeric column besides '${table.header[timeIndex] as string}'${reasons === '' ? '' : ` (${reasons})`}`,
    };
  }
  const series = readNumericSeries(table, source, columns, { allowEmpty: true });
  if (!series.ok) return series;
  const emptyCells = new Map<string, number>();
  const perColumn = columns.map((name) => {
    const values = series.value.columns.get(name) as Float64Array;
    const scored = scoreReadings(spec, series.value.timestampsMillis, values);
    emptyCells.set(name, scored.missing);
    return scored.scores;
  });
  const scores = new Float64Array(table.rows.length);
  const d = table.delimiter;
  const lines = [formatRecord([...table.header, 'anomaly_score', 'detection'], d)];
  for (let r = 0; r < table.rows.length; r++) {
    const score = fuseMax(perColumn.map((column) => column[r] as number).filter((s) => !Number.isNaN(s)));
    scores[r] = score;
    lines.push(
      formatRecord([...(table.rows[r] as string[]), score.toFixed(6), score >= threshold ? '1' : '0'], d),
    );
  }
  return { ok: true, value: { columns, skipped, emptyCells, text: lines.join('\n') + '\n', scores } };
}

/** Why column `index` is not a value column, or undefined when it is one. */
function whyNotNumeric(table: DelimitedTable, index: number): string | undefined {
  let readings = 0;
  for (let r = 0; r < table.rows.length; r++) {
    const cell = (table.rows[r] as string[])[index] as string;
    if (isEmptyCell(cell)) continue;
    if (!Number.isFinite(parseNumber(cell)))
      return `line ${table.lines[r] as number}: '${cell}' is not a number`;
    readings++;
  }
  return readings === 0 ? 'every cell is empty' : undefined;
}

/** Streams a column's readings (NaN marks a missing one) through one detector; a missing reading scores NaN. */
function scoreReadings(
  spec: DetectorSpec,
  timestampsMillis: Float64Array,
  values: Float64Array,
): { scores: Float64Array; missing: number } {
  const present: number[] = [];
  for (let r = 0; r < values.length; r++) if (!Number.isNaN(values[r])) present.push(r);
  if (present.length === values.length)
    return { scores: scoreSeries(spec, timestampsMillis, values), missing: 0 };
  const scored = scoreSeries(
    spec,
    present.map((r) => timestampsMillis[r] as number),
    present.map((r) => values[r] as number),
  );
  const scores = new Float64Array(values.length).fill(Number.NaN);
  present.forEach((row, k) => (scores[row] = scored[k] as number));
  return { scores, missing: values.length - present.length };
}
