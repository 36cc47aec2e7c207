import type { Context } from 'hono';
import type { EdgeOutcome } from '../../services/edge/edge-ingest.ts';

/**
 * Maps an ingest outcome to HTTP. 2xx only when the store said the readings are durable;
 * 429 + Retry-After when it is overloaded; 503 while shutting down. When items were refused the
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
  if (!outcome.ok) {
    c.header('Retry-After', '5');
    return c.json({ error: 'shutting down', rejected: outcome.rejected }, 503);
  }
  if (outcome.rejected.length === 0 && options.noContentWhenClean === true) return c.body(null, 204);
  const status = outcome.accepted === 0 && outcome.rejected.length > 0 ? 400 : 200;
  const body = { accepted: outcome.accepted, rejected: outcome.rejected };
  return c.json(status === 400 ? { error: 'no reading was accepted', ...body } : body, status);
}
