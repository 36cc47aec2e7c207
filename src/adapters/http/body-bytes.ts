import { IncomingMessage } from 'node:http';
import { gunzip } from 'node:zlib';
import type { Context } from 'hono';

/** Why a request body cannot be read: the status to answer and what to say. */
export type BodyError = { ok: false; status: 400 | 413 | 415; error: string };

/**
 * Hands the request body to `sink` chunk by chunk, inflating `Content-Encoding: gzip` (Telegraf's
 * default) up to `limitBytes` of output so a small compressed body cannot expand without bound.
 * A body of declared length on a Node connection (`limitBody` already judged its length) goes to
 * `sink` as it arrives, never gathered into one buffer first; any other body is read whole and
 * handed over as one chunk. A body cut off before its end (the client went away) is a 400.
 */
export async function streamBody(
  c: Context,
  limitBytes: number,
  sink: (chunk: Buffer) => void,
): Promise<{ ok: true } | BodyError> {
  const encoding = (c.req.header('content-encoding') ?? 'identity').toLowerCase();
  if (encoding === 'identity') {
    const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming;
    if (
      incoming instanceof IncomingMessage &&
      !incoming.readableDidRead &&
      c.req.header('content-length') !== undefined &&
      c.req.header('transfer-encoding') === undefined
    )
      return readChunks(incoming, sink);
    sink(Buffer.from(await c.req.arrayBuffer()));
    return { ok: true };
  }
  if (encoding !== 'gzip')
    return { ok: false, status: 415, error: `Content-Encoding '${encoding}' is not gzip or identity` };
  const compressed = Buffer.from(await c.req.arrayBuffer());
  return new Promise((resolve) => {
    gunzip(compressed, { maxOutputLength: limitBytes }, (error, inflated) => {
      if (error === null) {
        sink(inflated);
        resolve({ ok: true });
      } else if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        resolve({ ok: false, status: 413, error: `inflated body larger than ${limitBytes} bytes` });
      } else resolve({ ok: false, status: 400, error: `body is not valid gzip: ${error.message}` });
    });
  });
}

/** Hands `incoming`'s body to `sink` as it arrives. */
function readChunks(
  incoming: IncomingMessage,
  sink: (chunk: Buffer) => void,
): Promise<{ ok: true } | BodyError> {
  return new Promise((resolve) => {
    const finish = (result: { ok: true } | BodyError): void => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
      resolve(result);
    };
    const cutOff = (reason: string): void =>
      finish({ ok: false, status: 400, error: `request body cut off before its end: ${reason}` });
    const onData = (chunk: Buffer | string): void =>
      sink(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    const onEnd = (): void => finish({ ok: true });
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
