import { Hono } from 'hono';
import type { CityViews } from '../../../services/demo/views.ts';
import type { AppEnv } from '../env.ts';
import { requireRole } from '../middleware/auth.ts';

/** What `/map` and `/traffic` answer (404) while no city model runs. */
export const noCityModel =
  'no city model is running: the demo city brings one (`npm start`, `urban-brain serve --demo auto` or `urban-brain demo`)';

/**
 * The city's map (GeoJSON of roads) and traffic views (the hospitals view is the emergency
 * service's: `routes/emergency.ts`). Mount at `/api/v1`:
 * `app.route('/api/v1', cityRoutes(() => views))`. Each answers 404 while no city model runs.
 */
export function cityRoutes(views: () => CityViews | null): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const none = { error: noCityModel };

  app.get('/map', requireRole('read'), (c) => {
    const current = views();
    return current === null ? c.json(none, 404) : c.json(current.map());
  });

  app.get('/traffic', requireRole('read'), (c) => {
    const snapshot = views()?.traffic() ?? null;
    return snapshot === null ? c.json(none, 404) : c.json(snapshot);
  });

  return app;
}
