import type { Context } from 'hono';
import { LineDecoder } from '../text-pieces.ts';
import { streamBody, type BodyError } from './body-bytes.ts';

export type BodyLines = { ok: true; pieces: string[] } | BodyError;

/** The request body as text of lines, in pieces (see `LineDecoder`) decoded as the body arrives. */
export async function bodyLines(c: Context, limitBytes: number): Promise<BodyLines> {
  const decoder = new LineDecoder();
  const body = await streamBody(c, limitBytes, (chunk) => decoder.push(chunk));
  return body.ok ? { ok: true, pieces: decoder.end() } : body;
}
