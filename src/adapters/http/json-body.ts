import type { Context } from 'hono';
import { parseJsonText, type ParsedJson } from '../../core/json-text.ts';

/**
 * A control-plane request's JSON body (registry, keys, triage, …; ingest reads its own, in
 * pieces), or a sentence saying why it cannot be used: not JSON, or nested too deep.
 */
export async function jsonBody(c: Context): Promise<ParsedJson> {
  return parseJsonText(await c.req.text());
}
