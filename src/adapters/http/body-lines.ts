import { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { contentEncoding, inflatedBody, type BodyBytes } from './body-bytes.ts';
import { pieceBytes } from '../text-pieces.ts';

const NEWLINE = 10;
const BYTE_ORDER_MARK = 0xfeff;

export type BodyLines = { ok: true; pieces: string[] } | Exclude<BodyBytes, { ok: true }>;

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

/** `bytes` decoded in pieces as `LineDecoder` makes them. */
export function linePieces(bytes: Buffer, size = pieceBytes): string[] {
  const decoder = new LineDecoder(size);
  decoder.push(bytes);
  return decoder.end();
}

/**
 * The request body as text of lines, in pieces (see `LineDecoder`), inflating
 * `Content-Encoding: gzip` up to `limitBytes` of output. A body of declared length on a Node
 * connection is decoded chunk by chunk as it arrives (`limitBody` already judged its length),
 * never gathered into one buffer; any other body is read whole first.
 */
export async function bodyLines(c: Context, limitBytes: number): Promise<BodyLines> {
  const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming;
  if (
    contentEncoding(c) === 'identity' &&
    incoming instanceof IncomingMessage &&
    !incoming.readableDidRead &&
    c.req.header('content-length') !== undefined &&
    c.req.header('transfer-encoding') === undefined
  )
    return readLines(incoming);
  const body = await inflatedBody(c, limitBytes);
  return body.ok ? { ok: true, pieces: linePieces(body.bytes) } : body;
}

/** Decodes `incoming`'s body as it arrives; a body cut off (the client went away) is a 400. */
function readLines(incoming: IncomingMessage): Promise<BodyLines> {
  const decoder = new LineDecoder();
  return new Promise((resolve) => {
    const finish = (result: BodyLines): void => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
      resolve(result);
    };
    const cutOff = (reason: string): void =>
      finish({ ok: false, status: 400, error: `request body cut off before its end: ${reason}` });
    const onData = (chunk: Buffer | string): void =>
      decoder.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    const onEnd = (): void => finish({ ok: true, pieces: decoder.end() });
    const onError = (error: Error): void => cutOff(error.message);
    const onClose = (): void => {
      if (incoming.readableEnded) onEnd();
      else cutOff('the connection closed');
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('close', onClose);
  });
}
