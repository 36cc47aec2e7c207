import { parseTimestampMillis } from '../nab/timestamp.ts';

/** A parsed delimited table: the header, the raw cells, and the delimiter found. */
export interface DelimitedTable {
  delimiter: ',' | ';';
  header: string[];
  rows: string[][];
}

export type TableResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Splits CSV text (`,` or `;`, chosen from the header line); surrounding quotes are removed. */
export function parseDelimited(text: string, source: string): TableResult<DelimitedTable> {
  const lines = text.split(/\r?\n/);
  const first = lines[0] ?? '';
  if (first.trim() === '') return { ok: false, reason: `${source}: empty file, expected a header line` };
  const delimiter = count(first, ';') > count(first, ',') ? ';' : ',';
  const header = splitLine(first, delimiter);
  const rows: string[][] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '') continue;
    const cells = splitLine(line, delimiter);
    if (cells.length !== header.length) {
      return {
        ok: false,
        reason: `${source}: row ${i + 1} has ${cells.length} fields, the header has ${header.length}`,
      };
    }
    rows.push(cells);
  }
  return { ok: true, value: { delimiter, header, rows } };
}

/** A time series read from a table: ascending timestamps and named numeric columns. */
export interface NumericSeries {
  timestampsMillis: Float64Array;
  columns: Map<string, Float64Array>;
}

/**
 * Reads the `timestamp` column (or the first column) and the named numeric columns. Errors name
 * the source, row, field, value and rule. Rows stay in file order (timestamps may repeat).
 */
export function readNumericSeries(
  table: DelimitedTable,
  source: string,
  names: readonly string[],
): TableResult<NumericSeries> {
  const timeIndex = Math.max(
    0,
    table.header.findIndex((name) => /^(timestamp|time|date|datetime|ts)$/i.test(name)),
  );
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
        reason: `${source}: row ${r + 2}, field '${fieldName}': '${stamp}' is not a timestamp`,
      };
    timestampsMillis[r] = millis;
    for (let c = 0; c < indices.length; c++) {
      const cell = cells[indices[c] as number] as string;
      const value = cell === '' ? Number.NaN : Number(cell.replace(',', '.'));
      if (!Number.isFinite(value)) {
        return {
          ok: false,
          reason: `${source}: row ${r + 2}, field '${names[c] as string}': '${cell}' is not a finite number`,
        };
      }
      (arrays[c] as Float64Array)[r] = value;
    }
  }
  const columns = new Map<string, Float64Array>();
  names.forEach((name, c) => columns.set(name, arrays[c] as Float64Array));
  return { ok: true, value: { timestampsMillis, columns } };
}

function splitLine(line: string, delimiter: string): string[] {
  return line.split(delimiter).map((cell) => cell.trim().replace(/^"(.*)"$/, '$1'));
}

function count(text: string, character: string): number {
  let n = 0;
  for (const c of text) if (c === character) n++;
  return n;
}
