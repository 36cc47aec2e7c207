import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';

/** The API answers data, never pages: nothing in it may run or load anything. */
const apiPolicy = "default-src 'none'; frame-ancestors 'none'";

/**
 * Headers on every answer: no MIME sniffing (`nosniff`), no framing (clickjacking), no referrer,
 * and a Content-Security-Policy that a route serving pages (the dashboard) replaces with its own.
 */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return async function setSecurityHeaders(c, next) {
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('X-Frame-Options', 'DENY');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('Content-Security-Policy', apiPolicy);
    await next();
  };
}
