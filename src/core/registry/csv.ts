/** One CSV record and the line it starts on (1-based; a quoted cell may span lines). */
export interface CsvRow {
  line: number;
  cells: string[];
}

/**
 * A small RFC 4180 CSV reader: comma separated, `"` quoting with `""` escapes, CRLF or LF rows.
 * Blank lines are skipped; line numbers stay those of the file.
 */
export function parseCsvRows(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
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
  endRow();
  return rows;
}

/** The cells of each record (see `parseCsvRows`). */
export function parseCsv(text: string): string[][] {
  return parseCsvRows(text).map((row) => row.cells);
}
