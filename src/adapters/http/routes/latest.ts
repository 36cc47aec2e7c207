import { Hono } from 'hono';
import type { ReadingQueries } from '../../../ports/reading-queries.ts';
import type { AppEnv } from '../env.ts';
import { requireRole } from '../middleware/auth.ts';
import { jsonBody } from '../json-body.ts';
import { unknownParameters } from '../query-parameters.ts';
import { bodyFieldsError, maxSensors, sensorListError } from './sensor-list.ts';

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
    const unknown = unknownParameters(c, ['sensors'], ['sensors']);
    if (unknown !== undefined) return c.json({ error: unknown }, 400);
    // `sensors` may be given more than once (`?sensors=a&sensors=b`): every one counts.
    const list = (c.req.queries('sensors') ?? [])
      .flatMap((value) => value.split(','))
      .filter((id) => id !== '');
    if (list.length === 0) return c.json({ error: 'sensors=a,b,c is required' }, 400);
    if (list.length > maxSensors)
      return c.json({ error: `sensors has ${list.length} ids; at most ${maxSensors}` }, 400);
    return c.json(await answer(list));
  });

  app.post('/', requireRole('read'), async (c) => {
    const body = await jsonBody(c);
    if (!body.ok) return c.json({ error: body.error }, 400);
    const error = latestBodyError(body.value);
    if (error !== undefined) return c.json({ error }, 400);
    return c.json(await answer((body.value as { sensors: string[] }).sensors));
  });

  return app;
}

/** Why a POST body is not `{"sensors": [string, ...]}` of at most `maxSensors` ids, naming the item at fault. */
function latestBodyError(body: unknown): string | undefined {
  const shape = `body must be {"sensors": [string, ...]} with at most ${maxSensors} ids`;
  const fields = bodyFieldsError(body, ['sensors'], shape);
  if (fields !== undefined) return fields;
  const sensors = (body as { sensors?: unknown }).sensors;
  if (sensors === undefined) return `${shape}; sensors is missing`;
  return sensorListError('sensors', sensors, shape);
}
