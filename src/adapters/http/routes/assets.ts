import { Hono } from 'hono';
import { checkAsset, idChange } from '../../../core/registry/validate.ts';
import type { ReadingQueries } from '../../../ports/reading-queries.ts';
import type { Asset, Sensor } from '../../../core/registry/asset.ts';
import type { Registry } from '../../../ports/registry.ts';
import type { AppEnv } from '../env.ts';
import { requireRole } from '../middleware/auth.ts';
import { jsonBody } from '../json-body.ts';
import { paging } from '../paging.ts';
import { placeAndTagFilter, placeAndTagParameters, unknownParameters } from '../query-parameters.ts';
import { importRecords } from './registry-import.ts';
import { patchRecord } from './registry-patch.ts';

/** CRUD of assets, bulk import, and an asset's state (its sensors with their latest values). */
export function assetRoutes(registry: Registry, queries: ReadingQueries): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/', requireRole('read'), async (c) => {
    const unknown = unknownParameters(c, ['type', 'bbox', 'tag', 'limit', 'offset'], placeAndTagParameters);
    if (unknown !== undefined) return c.json({ error: unknown }, 400);
    const page = paging(c);
    if (typeof page === 'string') return c.json({ error: page }, 400);
    const placed = placeAndTagFilter(c);
    if (typeof placed === 'string') return c.json({ error: placed }, 400);
    const type = c.req.query('type');
    return c.json({
      assets: await registry.listAssets({ ...page, ...placed, ...(type === undefined ? {} : { type }) }),
    });
  });

  app.post('/', requireRole('manage'), async (c) => {
    const body = await jsonBody(c);
    if (!body.ok) return c.json({ error: body.error }, 400);
    const checked = checkAsset(body.value);
    if (!checked.ok) return c.json({ error: 'invalid asset', errors: checked.errors }, 400);
    const existed = (await registry.getAsset(checked.value.id)) !== undefined;
    await registry.putAssets([checked.value]);
    return c.json(checked.value, existed ? 200 : 201);
  });

  app.post('/import', requireRole('manage'), (c) => importRecords(c, registry, 'asset'));

  app.get('/:id', requireRole('read'), async (c) => {
    const asset = await registry.getAsset(c.req.param('id'));
    return asset === undefined ? c.json({ error: `no asset '${c.req.param('id')}'` }, 404) : c.json(asset);
  });

  app.put('/:id', requireRole('manage'), async (c) => {
    const body = await jsonBody(c);
    if (!body.ok) return c.json({ error: body.error }, 400);
    if (typeof body.value !== 'object' || body.value === null || Array.isArray(body.value))
      return c.json({ error: 'body must be a JSON object' }, 400);
    const moved = idChange(body.value, c.req.param('id'));
    if (moved !== undefined) return c.json({ error: moved }, 400);
    const checked = checkAsset({ ...body.value, id: c.req.param('id') });
    if (!checked.ok) return c.json({ error: 'invalid asset', errors: checked.errors }, 400);
    await registry.putAssets([checked.value]);
    return c.json(checked.value);
  });

  app.patch('/:id', requireRole('manage'), (c) =>
    patchRecord<Asset>(c, {
      what: 'asset',
      update: (id, change) => registry.updateAsset(id, change),
      check: async (input) => checkAsset(input),
    }),
  );

  app.delete('/:id', requireRole('manage'), async (c) => {
    const deleted = await registry.deleteAsset(c.req.param('id'));
    return deleted ? c.body(null, 204) : c.json({ error: `no asset '${c.req.param('id')}'` }, 404);
  });

  app.get('/:id/state', requireRole('read'), async (c) => {
    const asset = await registry.getAsset(c.req.param('id'));
    if (asset === undefined) return c.json({ error: `no asset '${c.req.param('id')}'` }, 404);
    const sensors = await sensorsOf(registry, asset.id);
    const latest = await queries.latest(sensors.map((s) => s.id));
    return c.json({
      asset,
      sensors: sensors.map((sensor) => ({ ...sensor, latest: latest.get(sensor.id) ?? null })),
    });
  });

  return app;
}

/** Every sensor of an asset, read a page of 10,000 at a time (one page cut the state's list there). */
async function sensorsOf(registry: Registry, asset: string): Promise<Sensor[]> {
  const pageSize = 10_000;
  const sensors: Sensor[] = [];
  for (;;) {
    const page = await registry.listSensors({ asset, limit: pageSize, offset: sensors.length });
    sensors.push(...page);
    if (page.length < pageSize) return sensors;
  }
}
