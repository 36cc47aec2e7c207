import { formatRecord } from '../csv.ts';
import { parseTimestampMillis } from '../nab/timestamp.ts';
import type { DelimitedTable, TableResult } from './delimited.ts';
import { isEmptyCell, parseNumber, timeColumnIndex } from './delimited.ts';
import type { AnomalyDetector, DetectorSpec } from './detector.ts';
import { fuseMax } from './fusion.ts';

export interface ScoredTable {
  /** The value columns that were scored. */
  columns: string[];
  /** The other non-timestamp columns, each with why it was not scored. */
  skipped: { column: string; reason: string }[];
  /** Per scored column, its missing cells: readings that its detector never saw. */
  emptyCells: Map<string, number>;
  /** The input rows with `anomaly_score` and `detection` appended, in the input's delimiter. */
  text: string;
  scores: Float64Array;
}

/** What a first pass over the rows found: the columns to score, and the rows' timestamps' order. */
export interface TablePlan {
  rows: number;
  columns: string[];
  skipped: { column: string; reason: string }[];
  /** Per value column, its missing cells: readings that its detector never sees. */
  emptyCells: Map<string, number>;
  /** Rows whose timestamp is earlier than the row before's, and the file line of the first one. */
  stepsBack: number;
  firstStepBackLine: number | undefined;
}

const MISSING = /^(nan|null|na|n\/a|none)$/i;

/** A missing reading: a blank cell, or NaN, null, NA, N/A or None (any case). */
export function isMissingCell(cell: string): boolean {
  return isEmptyCell(cell) || MISSING.test(cell.trim());
}

/**
 * The first pass over a table's rows, one row at a time (memory does not grow with the rows): checks
 * every row's field count and timestamp and finds the value columns. A value column is any column
 * other than the timestamp that has a reading and whose readings are all numbers.
 */
export class TableSurvey {
  private readonly timeIndex: number;
  private rows = 0;
  private readonly readings: number[];
  private readonly missing: number[];
  private readonly reasons: (string | undefined)[];
  private badTimestamp: string | undefined;
  private previousMillis = Number.NEGATIVE_INFINITY;
  private stepsBack = 0;
  private firstStepBackLine: number | undefined;

  constructor(
    private readonly header: readonly string[],
    private readonly source: string,
  ) {
    this.timeIndex = timeColumnIndex(header);
    this.readings = header.map(() => 0);
    this.missing = header.map(() => 0);
    this.reasons = header.map(() => undefined);
  }

  /** Reads one data row; a row with the wrong number of fields ends the survey with an error. */
  add(fields: readonly string[], line: number): TableResult<void> {
    if (fields.length !== this.header.length)
      return {
        ok: false,
        reason: `${this.source}: line ${line} has ${fields.length} fields, the header has ${this.header.length}`,
      };
    this.rows++;
    const stamp = fields[this.timeIndex] as string;
    const millis = parseTimestampMillis(stamp);
    if (millis === undefined)
      this.badTimestamp ??= `${this.source}: line ${line}, field '${this.header[this.timeIndex] as string}': '${stamp}' is not a timestamp`;
    else {
      if (millis < this.previousMillis && this.stepsBack++ === 0) this.firstStepBackLine = line;
      this.previousMillis = millis;
    }
    for (let index = 0; index < fields.length; index++) {
      if (index === this.timeIndex || this.reasons[index] !== undefined) continue;
      const cell = fields[index] as string;
      if (isMissingCell(cell)) this.missing[index] = (this.missing[index] as number) + 1;
      else if (Number.isFinite(parseNumber(cell)))
        this.readings[index] = (this.readings[index] as number) + 1;
      else this.reasons[index] = `line ${line}: '${cell}' is not a number`;
    }
    return { ok: true, value: undefined };
  }

  /** The plan, or the first error: no header, no data rows, no value column, a bad timestamp. */
  finish(): TableResult<TablePlan> {
    const timeName = this.header[this.timeIndex] as string;
    if (parseTimestampMillis(timeName) !== undefined)
      return {
        ok: false,
        reason: `${this.source}: line 1: the first line must name the columns, and '${timeName}' is a timestamp`,
      };
    if (this.rows === 0) return { ok: false, reason: `${this.source}: no data rows` };
    const columns: string[] = [];
    const skipped: { column: string; reason: string }[] = [];
    const emptyCells = new Map<string, number>();
    this.header.forEach((column, index) => {
      if (index === this.timeIndex) return;
      const reason = this.reasons[index] ?? (this.readings[index] === 0 ? 'every cell is empty' : undefined);
      if (reason !== undefined) skipped.push({ column, reason });
      else {
        columns.push(column);
        emptyCells.set(column, this.missing[index] as number);
      }
    });
    if (columns.length === 0) {
      const reasons = skipped.map(({ column, reason }) => `'${column}': ${reason}`).join('; ');
      return {
        ok: false,
        reason: `${this.source}: no numeric column besides '${timeName}'${reasons === '' ? '' : ` (${reasons})`}`,
      };
    }
    if (this.badTimestamp !== undefined) return { ok: false, reason: this.badTimestamp };
    const { rows, stepsBack, firstStepBackLine } = this;
    return { ok: true, value: { rows, columns, skipped, emptyCells, stepsBack, firstStepBackLine } };
  }
}

/**
 * The second pass: streams each value column through its own detector, one row at a time, and
 * fuses the per-column scores (maximum). A missing reading is skipped by its column's detector, and
 * the row's score fuses the columns that have a reading (0 when none has). Expects rows the survey
 * accepted.
 */
export class RowScorer {
  private readonly timeIndex: number;
  private readonly indices: number[];
  private readonly detectors: AnomalyDetector[];
  private readonly scores: number[] = [];

  constructor(
    spec: DetectorSpec,
    private readonly header: readonly string[],
    columns: readonly string[],
    private readonly threshold: number,
    private readonly delimiter: string,
  ) {
    this.timeIndex = timeColumnIndex(header);
    this.indices = columns.map((column) => header.indexOf(column));
    this.detectors = columns.map(() => spec.create());
  }

  /** The output's header line: the input's, with `anomaly_score` and `detection` appended. */
  headerLine(): string {
    return formatRecord([...this.header, 'anomaly_score', 'detection'], this.delimiter);
  }

  /** Scores one row; returns its score and its output line (without a line end). */
  scoreRow(fields: readonly string[]): { score: number; line: string } {
    const millis = parseTimestampMillis(fields[this.timeIndex] as string) as number;
    this.scores.length = 0;
    for (let c = 0; c < this.indices.length; c++) {
      const cell = fields[this.indices[c] as number] as string;
      if (!isMissingCell(cell))
        this.scores.push((this.detectors[c] as AnomalyDetector).update(millis, parseNumber(cell)));
    }
    const score = fuseMax(this.scores);
    const detection = score >= this.threshold ? '1' : '0';
    return { score, line: formatRecord([...fields, score.toFixed(6), detection], this.delimiter) };
  }
}

/** Scores every numeric column of a parsed table (see `TableSurvey` and `RowScorer`). */
export function scoreTable(
  spec: DetectorSpec,
  table: DelimitedTable,
  source: string,
  threshold: number,
): TableResult<ScoredTable> {
  const survey = new TableSurvey(table.header, source);
  for (let r = 0; r < table.rows.length; r++) {
    const added = survey.add(table.rows[r] as string[], table.lines[r] as number);
    if (!added.ok) return added;
  }
  const plan = survey.finish();
  if (!plan.ok) return plan;
  const { columns, skipped, emptyCells } = plan.value;
  const scorer = new RowScorer(spec, table.header, columns, threshold, table.delimiter);
  const scores = new Float64Array(table.rows.length);
  const lines = [scorer.headerLine()];
  for (let r = 0; r < table.rows.length; r++) {
    const { score, line } = scorer.scoreRow(table.rows[r] as string[]);
    scores[r] = score;
    lines.push(line);
  }
  const text = lines.join('\n') + '\n';
  return { ok: true, value: { columns, skipped, emptyCells, text, scores } };
}
