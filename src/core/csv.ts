/**
 * RFC 4180 records: splitting CSV text into fields and writing fields back. Pure, no I/O. The one
 * CSV reader of the project: registry imports, detector input files and triage files all use it.
 */

/** One record of a CSV text and the 1-based line it starts on. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

export type RecordsResult = { ok: true; records: CsvRecord[] } | { ok: false; line: number; reason: string };

/**
 * Splits CSV text into records. Line ends may be CRLF, LF or CR. A field may be double-quoted
 * (RFC 4180): it then keeps the delimiter, line ends and doubled quotes (`""` is one `"`) verbatim,
 * and blanks around the quotes are dropped. Unquoted fields are trimmed. Blank lines are skipped.
 * A quoted field that is never closed, or text after a closing quote, is an error naming the line.
 * A byte-order mark at the start is skipped.
 */
export function splitRecords(text: string, delimiter: string): RecordsResult {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  // start: before a field; plain: in an unquoted field; quoted: inside quotes; closed: after them.
  let state: 'start' | 'plain' | 'quoted' | 'closed' = 'start';
  let line = 1;
  let recordLine = 1;
  let quoteLine = 1;
  const endField = (): void => {
    fields.push(state === 'closed' ? field : field.trim());
    field = '';
  };
  const endRecord = (): void => {
    const blank = fields.length === 0 && state === 'start';
    endField();
    if (!blank) records.push({ line: recordLine, fields });
    fields = [];
    state = 'start';
  };
  for (let index = text.charCodeAt(0) === 0xfeff ? 1 : 0; index < text.length; index++) {
    const char = text[index] as string;
    const lineEnd = char === '\n' || char === '\r';
    const width = char === '\r' && text[index + 1] === '\n' ? 2 : 1;
    if (state === 'quoted') {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index++;
      } else if (char === '"') state = 'closed';
      else {
        field += text.slice(index, index + width);
        if (lineEnd) line++;
        index += width - 1;
      }
    } else if (char === delimiter) {
      endField();
      state = 'start';
    } else if (lineEnd) {
      endRecord();
      index += width - 1;
      line++;
      recordLine = line;
    } else if (state === 'closed') {
      if (char !== ' ' && char !== '\t')
        return { ok: false, line, reason: `'${char}' after the closing quote of a field` };
    } else if (state === 'start' && char === '"') {
      state = 'quoted';
      field = '';
      quoteLine = line;
    } else if (state === 'start' && (char === ' ' || char === '\t')) {
      field += char;
    } else {
      state = 'plain';
      field += char;
    }
  }
  if (state === 'quoted') return { ok: false, line: quoteLine, reason: 'a quoted field is not closed' };
  if (state !== 'start' || fields.length > 0) endRecord();
  return { ok: true, records };
}

/** Joins fields into one line, quoting a field that holds the delimiter, a quote, a line end or edge blanks. */
export function formatRecord(fields: readonly string[], delimiter: string): string {
  return fields
    .map((field) =>
      field.includes(delimiter) || /["\r\n]|^\s|\s$/.test(field) ? `"${field.replaceAll('"', '""')}"` : field,
    )
    .join(delimiter);
}
