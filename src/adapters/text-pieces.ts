import type { JsonArrayPieces } from '../core/ingest/validation.ts';

/**
 * Bytes of body decoded into one string at most, give or take a line or an item. V8 makes every
 * string over 128 KiB a large object of its own: decoding a 300 KB body (5,000 lines) as one string
 * took about 1 ms, in pieces of 64 KiB 45 µs.
 */
export const pieceBytes = 64 * 1024;

const NEWLINE = 10;
const BYTE_ORDER_MARK = 0xfeff;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
/** `},`: where one object of an array ends and the next begins (a guess, proven when parsed). */
const OBJECT_END = Buffer.from('},');

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/**
 * A JSON array of objects over `size` bytes, cut after a `},` every `size` bytes or so and decoded
 * piece by piece, each piece an array of its own (the cuts fall on ASCII, never inside a
 * character); undefined for a smaller body, one that is not an array, or one with nowhere to cut
 * (it is decoded whole). Each cut's comma is written over with the `]` closing one piece, then the
 * `[` opening the next, and is a comma again once that one is decoded: `bytes` are as given when
 * this returns (nothing runs in between; no other thread may read them meanwhile).
 */
export function jsonArrayPieces(bytes: Buffer, size = pieceBytes): JsonArrayPieces | undefined {
  if (bytes.length <= size) return undefined;
  let first = 0;
  while (isSpace(bytes[first])) first++;
  let last = bytes.length - 1;
  while (last > first && isSpace(bytes[last])) last--;
  if (bytes[first] !== OPEN_BRACKET || bytes[last] !== CLOSE_BRACKET) return undefined;
  const items: string[] = [];
  let start = first;
  for (;;) {
    const end = start + size < last ? bytes.indexOf(OBJECT_END, start + size) : -1;
    const cut = end === -1 || end + 1 >= last ? -1 : end + 1;
    if (cut === -1 && items.length === 0) return undefined;
    if (cut !== -1) bytes[cut] = CLOSE_BRACKET;
    items.push(bytes.toString('utf8', start, cut === -1 ? last + 1 : cut + 1));
    // The comma that opened this piece is a comma again.
    if (start !== first) bytes[start] = COMMA;
    if (cut === -1) return { items };
    bytes[cut] = OPEN_BRACKET;
    start = cut;
  }
}

/**
 * Decodes text of lines in pieces of about `size` bytes, each ending after a newline but the last:
 * bytes after a chunk's last newline wait for the next chunk, so a character of several UTF-8 bytes
 * is never cut. A byte-order mark opening the text is dropped (as `TextDecoder` does).
 */
export class LineDecoder {
  readonly pieces: string[] = [];
  readonly #size: number;
  #carried: Buffer[] = [];

  constructor(size = pieceBytes) {
    this.#size = size;
  }

  push(chunk: Buffer): void {
    const newline = chunk.lastIndexOf(NEWLINE);
    if (newline === -1) {
      this.#carried.push(chunk);
      return;
    }
    let start = 0;
    if (this.#carried.length > 0) {
      // Only the line the chunks share is copied, not the whole chunk.
      start = chunk.indexOf(NEWLINE) + 1;
      this.#decode(Buffer.concat([...this.#carried, chunk.subarray(0, start)]));
    }
    if (start <= newline) this.#decode(chunk.subarray(start, newline + 1));
    this.#carried = newline + 1 < chunk.length ? [chunk.subarray(newline + 1)] : [];
  }

  /** The pieces, once the last chunk was pushed. */
  end(): string[] {
    if (this.#carried.length > 0) this.#decode(Buffer.concat(this.#carried));
    this.#carried = [];
    return this.pieces;
  }

  #decode(bytes: Buffer): void {
    let start = 0;
    while (start < bytes.length) {
      let end = bytes.length;
      if (end - start > this.#size) {
        const newline = bytes.indexOf(NEWLINE, start + this.#size - 1);
        if (newline !== -1) end = newline + 1;
      }
      let text = bytes.toString('utf8', start, end);
      if (this.pieces.length === 0 && text.charCodeAt(0) === BYTE_ORDER_MARK) text = text.slice(1);
      this.pieces.push(text);
      start = end;
    }
  }
}
