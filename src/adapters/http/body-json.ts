import type { Context } from 'hono';
import type { JsonArrayPieces } from '../../core/ingest/validation.ts';
import { jsonArrayPieces } from '../text-pieces.ts';
import { inflatedBody, type BodyBytes } from './body-bytes.ts';

export type BodyJson = { ok: true; json: string | JsonArrayPieces } | Exclude<BodyBytes, { ok: true }>;

const decoder = new TextDecoder();

/**
 * The request body as JSON text, inflating `Content-Encoding: gzip` up to `limitBytes` of output:
 * a large array in pieces (`jsonArrayPieces`), anything else whole, as UTF-8 (a byte-order mark
 * opening it dropped).
 */
export async function bodyJson(c: Context, limitBytes: number): Promise<BodyJson> {
  const body = await inflatedBody(c, limitBytes);
  if (!body.ok) return body;
  return { ok: true, json: jsonArrayPieces(body.bytes) ?? decoder.decode(body.bytes) };
}
