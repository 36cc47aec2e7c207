import { gunzip } from 'node:zlib';
import type { Context } from 'hono';

export type BodyText = { ok: true; text: string } | { ok: false; status: 400 | 413 | 415; error: string };

/**
 * The request body as text, inflating `Content-Encoding: gzip` (Telegraf's default) up to
 * `limitBytes` of output so a small compressed body cannot expand without bound.
 */
export async function bodyText(c: Context, limitBytes: number): Promise<BodyText> {
  const encoding = (c.req.header('content-encoding') ?? 'identity').toLowerCase();
  if (encoding === 'identity') return { ok: true, text: await c.req.text() };
  if (encoding !== 'gzip')
    return { ok: false, status: 415, error: `Content-Encoding '${encoding}' is not gzip or identity` };
  const compressed = Buffer.from(await c.req.arrayBuffer());
  return new Promise((resolve) => {
    gunzip(compressed, { maxOutputLength: limitBytes }, (error, inflated) => {
      if (error === null) resolve({ ok: true, text: inflated.toString('utf8') });
      else if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        resolve({ ok: false, status: 413, error: `inflated body larger than ${limitBytes} bytes` });
      } else resolve({ ok: false, status: 400, error: `body is not valid gzip: ${error.message}` });
    });
  });
}
