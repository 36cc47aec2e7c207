import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';

/**
 * The headers of every API answer. The API answers data, never pages: nothing in it may run or
 * load anything.
 */
export const apiSecurityHeaders: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
};

/**
 * Headers on every answer: no MIME sniffing (`nosniff`), no framing (clickjacking), no referrer,
 * and a Content-Security-Policy that a route serving pages (the dashboard) replaces with its own.
 */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  const headers = Object.entries(apiSecurityHeaders);
  return async function setSecurityHeaders(c, next) {
    for (const [name, value] of headers) c.header(name, value);
    await next();
  };
}
