import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';

/** `GET /api/v1/me`: the calling key's id, name and role, so a client can show what it may do. Mount at `/api/v1`. */
export function meRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/me', (c) => {
    const key = c.get('key');
    return c.json({ id: key.id, name: key.name, role: key.role });
  });
  return app;
}
