import type { MiddlewareHandler } from 'hono';
import type { ApiKey } from '../../../core/auth/key.ts';
import type { Permission, Role } from '../../../core/auth/role.ts';
import { allows } from '../../../core/auth/role.ts';
import type { KeyService } from '../../../services/auth/keys.ts';
import type { AppEnv } from '../env.ts';

/**
 * The API key an `Authorization` header carries: `Bearer <key>`, `Token <key>` (what InfluxDB v2
 * clients such as Telegraf's `outputs.influxdb_v2` send) or `Basic` with the key as the password
 * and any user name (what InfluxDB v1 clients such as Telegraf's `outputs.influxdb` send).
 */
export function keyOfHeader(header: string): string | undefined {
  const match = /^(Bearer|Token|Basic)\s+(\S+)$/i.exec(header);
  const scheme = match?.[1];
  const credentials = match?.[2];
  if (scheme === undefined || credentials === undefined) return undefined;
  if (scheme.toLowerCase() !== 'basic') return credentials;
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? undefined : decoded.slice(colon + 1);
}

/** How often a live stream's key is checked again, so a revocation by another process ends it too. */
export const defaultRecheckMillis = 5_000;

/**
 * Reads the API key of the `Authorization` header (see `keyOfHeader`); 401 when missing, unknown or
 * revoked. A live stream (`text/event-stream`) ends when its key is revoked: at once when this
 * process revokes it, within `recheckMillis` when another one does.
 */
export function authenticate(
  keys: KeyService,
  options: { recheckMillis?: number } = {},
): MiddlewareHandler<AppEnv> {
  const recheckMillis = options.recheckMillis ?? defaultRecheckMillis;
  return async function authenticateRequest(c, next) {
    const header = c.req.header('authorization') ?? '';
    const secret = keyOfHeader(header);
    const key = secret === undefined ? undefined : await keys.authenticate(secret);
    if (key === undefined) {
      c.header('WWW-Authenticate', 'Bearer realm="urban-brain"');
      const error =
        header === ''
          ? 'missing Authorization: Bearer <key>'
          : secret === undefined
            ? 'Authorization must be Bearer <key>, Token <key> or Basic with the key as the password'
            : 'unknown or revoked API key';
      return c.json({ error }, 401);
    }
    c.set('key', key);
    await next();
    // The header first: reading `body` turns the server's lightweight response into a full one.
    if (c.res.headers.get('content-type')?.startsWith('text/event-stream') !== true) return;
    const body = c.res.body;
    if (body !== null) c.res = new Response(endOnRevocation(body, key, keys, recheckMillis), c.res);
  };
}

/**
 * The body of a long-lived response, cut when `key` is revoked: the client's connection ends and
 * the producer of `body` is cancelled (a live stream then gives up its slot).
 */
function endOnRevocation(
  body: ReadableStream<Uint8Array>,
  key: ApiKey,
  keys: KeyService,
  recheckMillis: number,
): ReadableStream<Uint8Array> {
  const revoked = new AbortController();
  const passage = new TransformStream<Uint8Array, Uint8Array>();
  const unsubscribe = keys.onRevoke((id) => {
    if (id === key.id) revoked.abort();
  });
  const timer = setInterval(() => {
    keys.isLive(key).then(
      (live) => {
        if (!live) revoked.abort();
      },
      () => undefined, // The store is unreachable: the next check tries again.
    );
  }, recheckMillis);
  timer.unref();
  void body
    // On revocation the producer is cancelled and the response ends as a stream ends, not with an
    // error (the server would log an AbortError stack for what is an expected end).
    .pipeTo(passage.writable, { signal: revoked.signal, preventAbort: true })
    .catch(() => passage.writable.close().catch(() => undefined)) // Revoked, or the client went away.
    .finally(() => {
      clearInterval(timer);
      unsubscribe();
    });
  return passage.readable;
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
