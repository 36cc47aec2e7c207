import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { CsvRecord } from '../core/csv.ts';
import { splitRecords } from '../core/csv.ts';
import { parseDelimited } from '../core/anomaly/delimited.ts';
import { RecordCutter } from '../core/csv-records.ts';

/** A run of whole records of a file, with their file lines; or why the file cannot be read. */
export type RecordsPiece =
  { ok: true; delimiter: ',' | ';'; records: CsvRecord[] } | { ok: false; reason: string };

const CHUNK_BYTES = 1 << 20;

/**
 * Reads a CSV file (or the given text chunks) a chunk at a time, so memory does not grow with the
 * file, and yields its records
 * as `parseDelimited` would read them from the whole text: the same delimiter (from the first line
 * that is not blank), quoting, blank lines and line numbers. A read error or a quoting error ends
 * the records with a reason naming the file (and line).
 */
export async function* readRecords(
  file: string,
  chunks: AsyncIterable<unknown> | Iterable<string> = createReadStream(file, {
    encoding: 'utf8',
    highWaterMark: CHUNK_BYTES,
  }),
): AsyncGenerator<RecordsPiece> {
  let cutter: RecordCutter | undefined;
  let delimiter: ',' | ';' = ',';
  let head = '';
  let lines = 0;
  const split = (text: string, lineEnds: number): RecordsPiece => {
    const result = splitRecords(text, delimiter);
    const offset = lines;
    lines += lineEnds;
    if (!result.ok) return { ok: false, reason: `${file}: line ${offset + result.line}: ${result.reason}` };
    for (const record of result.records) record.line += offset;
    return { ok: true, delimiter, records: result.records };
  };
  try {
    for await (const chunk of chunks) {
      if (cutter === undefined) {
        head += chunk as string;
        // The delimiter comes from the first line that is not blank: wait until it is whole.
        const line = firstLine(head);
        if (line === undefined) continue;
        delimiter = delimiterOf(line);
        cutter = new RecordCutter(delimiter);
        const piece = cutter.push(head);
        yield split(piece.text, piece.lineEnds);
      } else {
        const piece = cutter.push(chunk as string);
        yield split(piece.text, piece.lineEnds);
      }
    }
  } catch (error) {
    yield { ok: false, reason: `cannot read ${file}: ${(error as Error).message}` };
    return;
  }
  if (cutter === undefined) {
    delimiter = delimiterOf(head.trim());
    yield split(head, 0);
  } else {
    const piece = cutter.end();
    yield split(piece.text, piece.lineEnds);
  }
}

/** The first line of `text` that is not blank, once it is whole (a line end follows it). */
function firstLine(text: string): string | undefined {
  const start = text.search(/[^\s\uFEFF]/);
  if (start < 0) return undefined;
  const length = text.slice(start).search(/[\r\n]/);
  return length < 0 ? undefined : text.slice(start, start + length);
}

/** The delimiter `parseDelimited` finds in a header line. */
function delimiterOf(line: string): ',' | ';' {
  const parsed = parseDelimited(line, '');
  return parsed.ok ? parsed.value.delimiter : ',';
}

/** Streams whose reader went away; each stream gets one error listener, kept for its life. */
const watched = new WeakSet<Writable>();
const gone = new WeakSet<Writable>();

/**
 * Writes lines to a stream in large writes, waiting when the stream asks to. When the reader goes
 * away (EPIPE, as when piped into `head`), `closed` turns true and later lines are dropped.
 */
export class LineWriter {
  private buffer: string[] = [];
  private size = 0;

  constructor(private readonly stream: Writable) {
    if (!watched.has(stream)) {
      watched.add(stream);
      // Kept after the last write: the error of a write can arrive after it.
      stream.on('error', () => gone.add(stream));
    }
  }

  get closed(): boolean {
    return gone.has(this.stream);
  }

  async write(line: string): Promise<void> {
    this.buffer.push(line);
    this.size += line.length + 1;
    if (this.size >= CHUNK_BYTES / 4) await this.flush();
  }

  /** Writes what is buffered. */
  async end(): Promise<void> {
    await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.closed || this.buffer.length === 0) return;
    const text = this.buffer.join('\n') + '\n';
    this.buffer = [];
    this.size = 0;
    if (!this.stream.write(text)) {
      try {
        await once(this.stream, 'drain');
      } catch {
        gone.add(this.stream);
      }
    }
  }
}
