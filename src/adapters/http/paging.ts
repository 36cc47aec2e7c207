import type { Context } from 'hono';

/** `?limit=&offset=` with limit 1…10,000 (default 1,000); undefined values when malformed. */
export function paging(c: Context): { limit: number; offset: number } | string {
  const limit = Number(c.req.query('limit') ?? 1000);
  const offset = Number(c.req.query('offset') ?? 0);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
    return `limit must be an integer 1…10000, got '${c.req.query('limit')}'`;
  if (!Number.isSafeInteger(offset) || offset < 0)
    return `offset must be a non-negative integer up to ${Number.MAX_SAFE_INTEGER}, got '${c.req.query('offset')}'`;
  return { limit, offset };
}
