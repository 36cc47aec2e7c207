import type { Context } from 'hono';
import type { JsonArrayPieces } from '../../core/ingest/validation.ts';
import { jsonArrayPieces } from '../text-pieces.ts';
import { streamBody, type BodyError } from './body-bytes.ts';

export type BodyJson = { ok: true; json: string | JsonArrayPieces } | BodyError;

const decoder = new TextDecoder();

/**
 * The request body as JSON text: a large array in pieces (`jsonArrayPieces`), anything else whole,
 * as UTF-8 (a byte-order mark opening it dropped).
 */
export async function bodyJson(c: Context, limitBytes: number): Promise<BodyJson> {
  const chunks: Buffer[] = [];
  const body = await streamBody(c, limitBytes, (chunk) => chunks.push(chunk));
  if (!body.ok) return body;
  const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
  return { ok: true, json: jsonArrayPieces(bytes) ?? decoder.decode(bytes) };
}
