import { Hono } from 'hono';
import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { requireRole } from '../middleware/auth.ts';

const explanation =
  'detector scores and the detection status are kept by the processing processes (--role process), ' +
  'each for its own shards, and are not served over HTTP when scaled out';

/**
 * Mount at `/api/v1` before the maintenance routes in a scaled-out process: `GET /detection` and
 * `GET /sensors/:id/scores` answer 501 with the reason, where the local detection service would
 * answer an empty status or 404 for every sensor.
 */
export function processorOnlyRoutes(): Hono<AppEnv> {
  return unscoredRoutes(explanation);
}

/**
 * As `processorOnlyRoutes`, for a platform started with `--detector none`: nothing is scored, which
 * is said, while the alerts and work orders already stored stay readable and can be acted on.
 */
export function noDetectorRoutes(): Hono<AppEnv> {
  return unscoredRoutes(
    'no detector runs (the server was started with --detector none): there are no scores and no ' +
      'detection status; alerts and work orders already stored can still be read and acted on',
  );
}

function unscoredRoutes(reason: string): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const notHere = (c: Context<AppEnv>): Response => c.json({ error: reason }, 501);
  app.get('/detection', requireRole('read'), notHere);
  app.get('/sensors/:id/scores', requireRole('read'), notHere);
  return app;
}
