import type { ApiKey } from '../../core/auth/key.ts';

/** Hono context typing shared by the middleware and the routes. */
export interface AppEnv {
  Variables: { key: ApiKey };
}
