import type { MiddlewareHandler } from 'hono';
import type { Permission, Role } from '../../../core/auth/role.ts';
import { allows } from '../../../core/auth/role.ts';
import type { KeyService } from '../../../services/auth/keys.ts';
import type { AppEnv } from '../env.ts';

/** Reads `Authorization: Bearer <key>`; answers 401 when it is missing, unknown or revoked. */
export function authenticate(keys: KeyService): MiddlewareHandler<AppEnv> {
  return async function authenticateRequest(c, next) {
    const header = c.req.header('authorization') ?? '';
    // `Token` is what InfluxDB v2 clients such as Telegraf send.
    const match = /^(?:Bearer|Token)\s+(\S+)$/i.exec(header);
    const key = match?.[1] === undefined ? undefined : await keys.authenticate(match[1]);
    if (key === undefined) {
      c.header('WWW-Authenticate', 'Bearer realm="urban-brain"');
      const error = header === '' ? 'missing Authorization: Bearer <key>' : 'unknown or revoked API key';
      return c.json({ error }, 401);
    }
    c.set('key', key);
    await next();
  };
}

/**
 * Lets the request through only when the caller's role grants `needed` — a permission, or a role
 * name standing for what that role may do (`requireRole('operator')` admits operators and admins).
 */
export function requireRole(needed: Role | Permission): MiddlewareHandler<AppEnv> {
  return async function checkRole(c, next) {
    const key = c.get('key');
    if (!allows(key.role, needed)) {
      return c.json({ error: `role '${key.role}' may not do this (needs ${needed})` }, 403);
    }
    await next();
  };
}
