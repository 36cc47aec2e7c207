import { gunzip } from 'node:zlib';
import type { Context } from 'hono';

/** A request body's bytes, or why it cannot be read (the status to answer and what to say). */
export type BodyBytes = { ok: true; bytes: Buffer } | { ok: false; status: 400 | 413 | 415; error: string };

/** The `Content-Encoding` of the request, lower case; `identity` when there is none. */
export function contentEncoding(c: Context): string {
  return (c.req.header('content-encoding') ?? 'identity').toLowerCase();
}

/** A gzip body inflated up to `limitBytes` of output; any other encoding but identity is a 415. */
export async function inflatedBody(c: Context, limitBytes: number): Promise<BodyBytes> {
  const encoding = contentEncoding(c);
  if (encoding === 'identity') return { ok: true, bytes: Buffer.from(await c.req.arrayBuffer()) };
  if (encoding !== 'gzip')
    return { ok: false, status: 415, error: `Content-Encoding '${encoding}' is not gzip or identity` };
  const compressed = Buffer.from(await c.req.arrayBuffer());
  return new Promise((resolve) => {
    gunzip(compressed, { maxOutputLength: limitBytes }, (error, inflated) => {
      if (error === null) resolve({ ok: true, bytes: inflated });
      else if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        resolve({ ok: false, status: 413, error: `inflated body larger than ${limitBytes} bytes` });
      } else resolve({ ok: false, status: 400, error: `body is not valid gzip: ${error.message}` });
    });
  });
}
