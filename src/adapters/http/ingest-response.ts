import type { Context } from 'hono';
import type { EdgeOutcome } from '../../services/edge/edge-ingest.ts';
import { StorageUnavailableError } from '../../services/ingest/storage-unavailable.ts';

/**
 * Maps an ingest outcome to HTTP. 2xx only when the store said the readings are durable;
 * 429 + Retry-After when it is overloaded; 503 + Retry-After when it cannot store now (a cluster
 * without quorum); 503 + Retry-After + `Connection: close` while
 * shutting down (the client reconnects to whichever instance is up). When items were refused the
 * body lists each (index, field, value, rule, message); the other items are stored regardless.
 */
export function ingestResponse(
  c: Context,
  outcome: EdgeOutcome,
  options: { noContentWhenClean?: boolean } = {},
) {
  if (!outcome.ok && outcome.reason === 'overloaded') {
    c.header('Retry-After', String(Math.max(1, Math.ceil(outcome.retryAfterSeconds))));
    return c.json({ error: 'overloaded, retry later', rejected: outcome.rejected }, 429);
  }
  if (!outcome.ok && outcome.reason === 'unavailable') {
    // Another ingest process would meet the same store: the connection is kept.
    c.header('Retry-After', String(Math.max(1, Math.ceil(outcome.retryAfterSeconds))));
    return c.json({ error: `${outcome.message}, retry later`, rejected: outcome.rejected }, 503);
  }
  if (!outcome.ok) {
    c.header('Retry-After', '5');
    c.header('Connection', 'close');
    return c.json({ error: 'shutting down', rejected: outcome.rejected }, 503);
  }
  if (outcome.rejected.length === 0 && options.noContentWhenClean === true) return c.body(null, 204);
  const status = outcome.accepted === 0 && outcome.rejected.length > 0 ? 400 : 200;
  const body = { accepted: outcome.accepted, rejected: outcome.rejected };
  return c.json(status === 400 ? { error: 'no reading was accepted', ...body } : body, status);
}

/**
 * The answer when the write-ahead log cannot be written (nothing of the request was stored):
 * 507 when the disk is full, else 503, with Retry-After. Undefined for any other error.
 */
export function storageFailureResponse(c: Context, error: unknown): Response | undefined {
  if (!(error instanceof StorageUnavailableError)) return undefined;
  c.header('Retry-After', String(error.retryAfterSeconds));
  return c.json({ error: error.message }, error.diskFull ? 507 : 503);
}
