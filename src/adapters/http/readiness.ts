import type { FetchHandler } from './server.ts';

/**
 * `/healthz` that also answers 503 while an engine the process needs is down:
 * `{"status":"unavailable","down":["postgres"]}`, with the headers the app gave. `down` reads state
 * kept up to date in the background, so a probe costs no network call. Every other request goes to
 * `fetch` untouched.
 */
export function withEngineReadiness(fetch: FetchHandler, down: () => readonly string[]): FetchHandler {
  return function answer(
    request: Request,
    bindings?: Parameters<FetchHandler>[1],
  ): Response | Promise<Response> {
    // Every other request (ingest above all) goes straight to the app, with no extra await, and with
    // the connection objects (a live stream cuts off a client that stopped reading through them).
    return isHealthProbe(request) ? probe(request) : fetch(request, bindings);
  };
  async function probe(request: Request): Promise<Response> {
    const response = await fetch(request);
    const missing = down();
    if (missing.length === 0) return response;
    const body = request.method === 'HEAD' ? null : JSON.stringify({ status: 'unavailable', down: missing });
    const headers = new Headers(response.headers);
    headers.set('content-type', 'application/json');
    headers.delete('content-length');
    return new Response(body, { status: 503, headers });
  }
}

function isHealthProbe(request: Request): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  // Most requests are not probes: skip parsing their URL.
  return request.url.includes('/healthz') && new URL(request.url).pathname === '/healthz';
}
