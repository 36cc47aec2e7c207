/** A piece of CSV text that ends at a record end, and how many line ends it holds. */
export interface RecordPiece {
  text: string;
  lineEnds: number;
}

const QUOTE = 0x22;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

/**
 * Cuts CSV text that arrives in chunks at record ends, so that each piece can be split on its own
 * by `splitRecords` with the same records and lines as the whole text. It follows the quoting rules
 * of `splitRecords`: a line end inside a quoted field does not end the record, and a lone `\r` at
 * the end of a chunk waits for the next chunk (it may be the first half of `\r\n`).
 */
export class RecordCutter {
  private pending = '';
  private scanned = 0;
  private state: 'start' | 'plain' | 'quoted' | 'closed' = 'start';
  private readonly delimiter: number;

  constructor(delimiter: string) {
    this.delimiter = delimiter.charCodeAt(0);
  }

  /** Adds a chunk; returns the complete records held so far (possibly empty text). */
  push(chunk: string): RecordPiece {
    this.pending += chunk;
    const text = this.pending;
    let cut = 0;
    let index = this.scanned;
    for (; index < text.length; index++) {
      const code = text.charCodeAt(index);
      if (this.state === 'quoted') {
        if (code === QUOTE) this.state = 'closed';
      } else if (code === LINE_FEED || code === CARRIAGE_RETURN) {
        if (code === CARRIAGE_RETURN && index + 1 === text.length) break;
        if (code === CARRIAGE_RETURN && text.charCodeAt(index + 1) === LINE_FEED) index++;
        this.state = 'start';
        cut = index + 1;
      } else if (code === this.delimiter) this.state = 'start';
      // After a closing quote, a second quote is an escaped one: the field is quoted again.
      else if (this.state === 'closed') this.state = code === QUOTE ? 'quoted' : 'closed';
      else if (this.state === 'start' && code === QUOTE) this.state = 'quoted';
      else if (this.state !== 'start' || (code !== SPACE && code !== TAB)) this.state = 'plain';
    }
    this.scanned = index - cut;
    this.pending = text.slice(cut);
    const piece = text.slice(0, cut);
    return { text: piece, lineEnds: countLineEnds(piece) };
  }

  /** The text after the last record end: the last record when the input does not end with a line end. */
  end(): RecordPiece {
    const piece = this.pending;
    this.pending = '';
    this.scanned = 0;
    return { text: piece, lineEnds: countLineEnds(piece) };
  }
}

/** Line ends as `splitRecords` counts them: `\r\n`, `\r` and `\n` are one each. */
function countLineEnds(text: string): number {
  let count = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === LINE_FEED) count++;
    else if (code === CARRIAGE_RETURN) {
      count++;
      if (text.charCodeAt(index + 1) === LINE_FEED) index++;
    }
  }
  return count;
}
