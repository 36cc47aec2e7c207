/** One CSV record and the line it starts on (1-based; a quoted cell may span lines). */
export interface CsvRow {
  line: number;
  cells: string[];
}

/** The rows of a CSV text, or where it breaks the syntax (a quoted cell never closed). */
export type CsvParse = { ok: true; rows: CsvRow[] } | { ok: false; line: number; message: string };

/**
 * A small RFC 4180 CSV reader: comma separated, `"` quoting with `""` escapes, CRLF or LF rows.
 * Blank lines are skipped; line numbers stay those of the file.
 */
export function parseCsvRows(text: string): CsvParse {
  const rows: CsvRow[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let quoteLine = 1;
  let line = 1;
  let start = 1;
  const endRow = () => {
    cells.push(cell);
    if (cells.length > 1 || cells[0] !== '') rows.push({ line: start, cells });
    cells = [];
    cell = '';
  };
  for (let index = text.charCodeAt(0) === 0xfeff ? 1 : 0; index < text.length; index += 1) {
    const char = text[index];
    if (char === '\n' || (char === '\r' && text[index + 1] !== '\n')) line += 1;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"';
        index += 1;
      } else if (char === '"') {
        quoted = false;
      } else {
        cell += char;
      }
    } else if (char === '"' && cell === '') {
      quoted = true;
      quoteLine = line;
    } else if (char === ',') {
      cells.push(cell);
      cell = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[index + 1] === '\n') {
        index += 1;
        line += 1;
      }
      endRow();
      start = line;
    } else {
      cell += char;
    }
  }
  if (quoted) {
    return { ok: false, line: quoteLine, message: `line ${quoteLine}: a quoted cell is never closed` };
  }
  endRow();
  return { ok: true, rows };
}

/** The cells of each record (see `parseCsvRows`); throws a SyntaxError for text that is not CSV. */
export function parseCsv(text: string): string[][] {
  const parsed = parseCsvRows(text);
  if (!parsed.ok) throw new SyntaxError(parsed.message);
  return parsed.rows.map((row) => row.cells);
}
