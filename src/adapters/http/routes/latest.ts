import { Hono } from 'hono';
import type { ReadingQueries } from '../../../ports/reading-queries.ts';
import type { AppEnv } from '../env.ts';
import { requireRole } from '../middleware/auth.ts';
import { jsonBody } from '../paging.ts';

const maxSensors = 100_000;

/**
 * Latest value of many sensors: `GET ?sensors=a,b,c`, or `POST {"sensors": [...]}` for long lists
 * and for ids that contain a comma (line protocol ids such as `cpu.value,host=h`), which GET splits.
 */
export function latestRoutes(queries: ReadingQueries): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  async function answer(sensors: string[]) {
    const latest = await queries.latest(sensors);
    return { latest: Object.fromEntries(latest) };
  }

  app.get('/', requireRole('read'), async (c) => {
    const list = (c.req.query('sensors') ?? '').split(',').filter((id) => id !== '');
    if (list.length === 0) return c.json({ error: 'sensors=a,b,c is required' }, 400);
    return c.json(await answer(list));
  });

  app.post('/', requireRole('read'), async (c) => {
    const body = await jsonBody(c);
    if (!body.ok) return c.json({ error: body.error }, 400);
    const sensors = (body.value as { sensors?: unknown } | null)?.sensors;
    if (
      !Array.isArray(sensors) ||
      sensors.some((id) => typeof id !== 'string') ||
      sensors.length > maxSensors
    ) {
      return c.json({ error: `body must be {"sensors": [string, ...]} with at most ${maxSensors} ids` }, 400);
    }
    return c.json(await answer(sensors as string[]));
  });

  return app;
}
