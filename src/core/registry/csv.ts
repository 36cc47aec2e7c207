import { splitRecords } from '../csv.ts';

/** One CSV record and the line it starts on (1-based; a quoted cell may span lines). */
export interface CsvRow {
  line: number;
  cells: string[];
}

/** The rows of a CSV text, or where it breaks the syntax (a quoted cell never closed). */
export type CsvParse = { ok: true; rows: CsvRow[] } | { ok: false; line: number; message: string };

/**
 * Comma-separated rows (RFC 4180, as `splitRecords` reads them: unquoted cells trimmed, blank
 * lines skipped, line numbers those of the file).
 */
export function parseCsvRows(text: string): CsvParse {
  const split = splitRecords(text, ',');
  if (!split.ok) return { ok: false, line: split.line, message: `line ${split.line}: ${split.reason}` };
  return { ok: true, rows: split.records.map(({ line, fields }) => ({ line, cells: fields })) };
}

/** The cells of each record (see `parseCsvRows`); throws a SyntaxError for text that is not CSV. */
export function parseCsv(text: string): string[][] {
  const parsed = parseCsvRows(text);
  if (!parsed.ok) throw new SyntaxError(parsed.message);
  return parsed.rows.map((row) => row.cells);
}
