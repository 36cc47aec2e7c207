import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';
import type { AppEnv } from './env.ts';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

/**
 * What the dashboard page may do: load its own scripts, styles and API (`'self'`, nothing inline,
 * nothing from other origins; the favicon is a `data:` URL), and not be framed by another site.
 */
export const dashboardPolicy =
  "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** Where `npm run build:web` writes the dashboard. */
export const defaultDashboardDirectory = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

/**
 * Serves the built dashboard at `/` and `/assets/*`. Register it BEFORE the authentication
 * middleware: the page itself is public, it asks for a key and sends it with every API call.
 * Files are read once, here; hashed asset names are cached for a year, the page never. Both are
 * sent under `dashboardPolicy` (the other security headers come from `securityHeaders`).
 */
export function serveDashboard(app: Hono<AppEnv>, directory: string = defaultDashboardDirectory): void {
  const files = new Map<string, { body: Uint8Array; type: string }>();
  const assets = join(directory, 'assets');
  if (existsSync(assets)) {
    for (const name of readdirSync(assets)) {
      files.set(name, {
        body: readFileSync(join(assets, name)),
        type: contentTypes[extname(name)] ?? 'application/octet-stream',
      });
    }
  }
  const indexPath = join(directory, 'index.html');
  const index = existsSync(indexPath)
    ? readFileSync(indexPath, 'utf8')
    : '<!doctype html><title>Urban Brain</title><p>The dashboard is not built: run <code>npm run build:web</code>.</p>';

  app.get('/', (c) => {
    c.header('Cache-Control', 'no-cache');
    c.header('Content-Security-Policy', dashboardPolicy);
    return c.html(index);
  });
  app.get('/assets/:name', (c) => {
    const file = files.get(c.req.param('name'));
    if (file === undefined) return c.json({ error: `no dashboard asset '${c.req.param('name')}'` }, 404);
    c.header('Content-Type', file.type);
    c.header('Content-Security-Policy', dashboardPolicy);
    c.header('Cache-Control', 'public, max-age=31536000, immutable');
    return c.body(file.body as Uint8Array<ArrayBuffer>);
  });
}
