import { parseTimestampMillis } from '../nab/timestamp.ts';
import { splitRecords } from '../csv.ts';

/** A parsed delimited table: the header, the raw cells, and the delimiter found. */
export interface DelimitedTable {
  delimiter: ',' | ';';
  header: string[];
  rows: string[][];
  /** The 1-based file line each row starts on (blank lines are skipped; a quoted field may span lines). */
  lines: number[];
}

export type TableResult<T> = { ok: true; value: T } | { ok: false; reason: string };

const TIME_COLUMN = /^(timestamp|time|date|datetime|ts)$/i;

/**
 * Splits CSV text (`,` or `;`, whichever the header line holds more of outside quotes) with RFC 4180
 * quoting: quoted fields may hold the delimiter, line ends and doubled quotes. A leading byte-order
 * mark is dropped, blank lines are skipped, and every row must have as many fields as the header.
 */
export function parseDelimited(text: string, source: string): TableResult<DelimitedTable> {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const firstLine = /^\s*([^\r\n]*)/.exec(body)?.[1] ?? '';
  const delimiter = countOutsideQuotes(firstLine, ';') > countOutsideQuotes(firstLine, ',') ? ';' : ',';
  const split = splitRecords(body, delimiter);
  if (!split.ok) return { ok: false, reason: `${source}: line ${split.line}: ${split.reason}` };
  const [head, ...records] = split.records;
  if (head === undefined) return { ok: false, reason: `${source}: empty file, expected a header line` };
  const header = head.fields;
  const rows: string[][] = [];
  const lines: number[] = [];
  for (const record of records) {
    if (record.fields.length !== header.length) {
      return {
        ok: false,
        reason: `${source}: line ${record.line} has ${record.fields.length} fields, the header has ${header.length}`,
      };
    }
    rows.push(record.fields);
    lines.push(record.line);
  }
  return { ok: true, value: { delimiter, header, rows, lines } };
}

/** The index of the timestamp column: the first named like one, else the first column. */
export function timeColumnIndex(header: readonly string[]): number {
  return Math.max(
    0,
    header.findIndex((name) => TIME_COLUMN.test(name)),
  );
}

/** Reads a numeric cell: a decimal comma is accepted; an empty or non-numeric cell gives NaN. */
export function parseNumber(cell: string): number {
  return isEmptyCell(cell) ? Number.NaN : Number(cell.replace(',', '.'));
}

/** A cell with nothing but blanks: a missing reading. */
export function isEmptyCell(cell: string): boolean {
  return cell.trim() === '';
}

/** A time series read from a table: ascending timestamps and named numeric columns. */
export interface NumericSeries {
  timestampsMillis: Float64Array;
  columns: Map<string, Float64Array>;
}

/**
 * Reads the `timestamp` column (or the first column) and the named numeric columns. Errors name
 * the source, file line, field, value and rule. Rows stay in file order (timestamps may repeat).
 * An empty value cell is an error unless `allowEmpty` is set; it is then read as NaN.
 */
export function readNumericSeries(
  table: DelimitedTable,
  source: string,
  names: readonly string[],
  options: { allowEmpty?: boolean } = {},
): TableResult<NumericSeries> {
  const timeIndex = timeColumnIndex(table.header);
  const indices: number[] = [];
  for (const name of names) {
    const index = table.header.indexOf(name);
    if (index < 0)
      return {
        ok: false,
        reason: `${source}: column '${name}' is missing (header: ${table.header.join(',')})`,
      };
    indices.push(index);
  }
  const count = table.rows.length;
  const timestampsMillis = new Float64Array(count);
  const arrays = names.map(() => new Float64Array(count));
  for (let r = 0; r < count; r++) {
    const cells = table.rows[r] as string[];
    const stamp = cells[timeIndex] as string;
    const millis = parseTimestampMillis(stamp);
    const fieldName = table.header[timeIndex] as string;
    if (millis === undefined)
      return {
        ok: false,
        reason: `${source}: line ${table.lines[r] as number}, field '${fieldName}': '${stamp}' is not a timestamp`,
      };
    timestampsMillis[r] = millis;
    for (let c = 0; c < indices.length; c++) {
      const cell = cells[indices[c] as number] as string;
      const value = parseNumber(cell);
      if (!Number.isFinite(value) && !(isEmptyCell(cell) && options.allowEmpty === true)) {
        return {
          ok: false,
          reason: `${source}: line ${table.lines[r] as number}, field '${names[c] as string}': '${cell}' is not a finite number`,
        };
      }
      (arrays[c] as Float64Array)[r] = value;
    }
  }
  const columns = new Map<string, Float64Array>();
  names.forEach((name, c) => columns.set(name, arrays[c] as Float64Array));
  return { ok: true, value: { timestampsMillis, columns } };
}

function countOutsideQuotes(text: string, character: string): number {
  let n = 0;
  let quoted = false;
  for (const c of text) {
    if (c === '"') quoted = !quoted;
    else if (c === character && !quoted) n++;
  }
  return n;
}
