import { Hono } from 'hono';
import { placeAndTagFilter, placeAndTagParameters, unknownParameters } from '../query-parameters.ts';
import { unknownAssetError } from '../../../core/registry/asset-reference.ts';
import type { Sensor } from '../../../core/registry/asset.ts';
import { checkSensor, idChange, type FieldError } from '../../../core/registry/validate.ts';
import type { Aggregation, ReadingQueries } from '../../../ports/reading-queries.ts';
import type { Registry } from '../../../ports/registry.ts';
import type { AppEnv } from '../env.ts';
import { requireRole } from '../middleware/auth.ts';
import { jsonBody } from '../json-body.ts';
import { paging } from '../paging.ts';
import { instantRule, parseDuration, parseInstant } from '../time.ts';
import { defaultStep } from '../../../services/query/resolution.ts';
import { maxSeriesPoints } from '../../../services/query/reading-query-service.ts';
import { bucketCount, smallestStep } from '../../../core/readings/step.ts';
import { importRecords } from './registry-import.ts';
import { patchRecord } from './registry-patch.ts';

const aggregations = new Set<string>(['avg', 'min', 'max', 'sum', 'count', 'last']);
const seriesParameters = ['from', 'to', 'step', 'agg'];
const dayMillis = 86_400_000;

/** CRUD of sensors, bulk import, and a sensor's downsampled series. */
export function sensorRoutes(
  registry: Registry,
  queries: ReadingQueries,
  nowMillis: () => number,
): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  /** The error for a sensor naming an asset the registry does not hold, if it does. */
  async function assetErrors(sensor: Sensor): Promise<FieldError[]> {
    if (sensor.asset === null || (await registry.getAsset(sensor.asset)) !== undefined) return [];
    return [unknownAssetError(sensor.asset)];
  }

  app.get('/', requireRole('read'), async (c) => {
    const unknown = unknownParameters(
      c,
      ['asset', 'kind', 'bbox', 'tag', 'limit', 'offset'],
      placeAndTagParameters,
    );
    if (unknown !== undefined) return c.json({ error: unknown }, 400);
    const page = paging(c);
    if (typeof page === 'string') return c.json({ error: page }, 400);
    const placed = placeAndTagFilter(c);
    if (typeof placed === 'string') return c.json({ error: placed }, 400);
    const asset = c.req.query('asset');
    const kind = c.req.query('kind');
    const filter = {
      ...page,
      ...placed,
      ...(asset === undefined ? {} : { asset }),
      ...(kind === undefined ? {} : { kind }),
    };
    return c.json({ sensors: await registry.listSensors(filter) });
  });

  app.post('/', requireRole('manage'), async (c) => {
    const body = await jsonBody(c);
    if (!body.ok) return c.json({ error: body.error }, 400);
    const checked = checkSensor(body.value);
    const errors = checked.ok ? await assetErrors(checked.value) : checked.errors;
    if (!checked.ok || errors.length > 0) return c.json({ error: 'invalid sensor', errors }, 400);
    const existed = (await registry.getSensor(checked.value.id)) !== undefined;
    await registry.putSensors([checked.value]);
    return c.json(checked.value, existed ? 200 : 201);
  });

  app.post('/import', requireRole('manage'), (c) => importRecords(c, registry, 'sensor'));

  app.get('/:id', requireRole('read'), async (c) => {
    const sensor = await registry.getSensor(c.req.param('id'));
    return sensor === undefined ? c.json({ error: `no sensor '${c.req.param('id')}'` }, 404) : c.json(sensor);
  });

  app.put('/:id', requireRole('manage'), async (c) => {
    const body = await jsonBody(c);
    if (!body.ok) return c.json({ error: body.error }, 400);
    if (typeof body.value !== 'object' || body.value === null || Array.isArray(body.value))
      return c.json({ error: 'body must be a JSON object' }, 400);
    const moved = idChange(body.value, c.req.param('id'));
    if (moved !== undefined) return c.json({ error: moved }, 400);
    const checked = checkSensor({ ...body.value, id: c.req.param('id') });
    const errors = checked.ok ? await assetErrors(checked.value) : checked.errors;
    if (!checked.ok || errors.length > 0) return c.json({ error: 'invalid sensor', errors }, 400);
    await registry.putSensors([checked.value]);
    return c.json(checked.value);
  });

  app.patch('/:id', requireRole('manage'), (c) =>
    patchRecord<Sensor>(c, {
      what: 'sensor',
      update: (id, change) => registry.updateSensor(id, change),
      check: async (input) => {
        const checked = checkSensor(input);
        const errors = checked.ok ? await assetErrors(checked.value) : checked.errors;
        return checked.ok && errors.length === 0 ? checked : { ok: false, errors };
      },
    }),
  );

  app.delete('/:id', requireRole('manage'), async (c) => {
    const deleted = await registry.deleteSensor(c.req.param('id'));
    return deleted ? c.body(null, 204) : c.json({ error: `no sensor '${c.req.param('id')}'` }, 404);
  });

  app.get('/:id/readings', requireRole('read'), async (c) => {
    // A misspelt parameter (`form=`, `start=`) would otherwise answer for the default range.
    const unknown = unknownParameters(c, seriesParameters);
    if (unknown !== undefined) return c.json({ error: unknown }, 400);
    const { from, to, step, agg } = c.req.query();
    const toMillis = to === undefined ? nowMillis() : parseInstant(to);
    if (toMillis === undefined) return c.json({ error: `to='${to}' must be ${instantRule}` }, 400);
    const fromMillis = from === undefined ? Math.max(0, toMillis - dayMillis) : parseInstant(from);
    if (fromMillis === undefined) return c.json({ error: `from='${from}' must be ${instantRule}` }, 400);
    if (fromMillis >= toMillis)
      return c.json({ error: `from (${fromMillis}) must be before to (${toMillis})` }, 400);
    const stepMillis = step === undefined ? defaultStep(toMillis - fromMillis) : parseDuration('step', step);
    if (typeof stepMillis === 'string') return c.json({ error: stepMillis }, 400);
    const buckets = bucketCount(fromMillis, toMillis, stepMillis);
    if (buckets > maxSeriesPoints) {
      const fits = smallestStep(toMillis - fromMillis, maxSeriesPoints);
      return c.json(
        {
          error:
            `step=${step ?? stepMillis} (${stepMillis} ms) gives ${buckets} points over ` +
            `${toMillis - fromMillis} ms; at most ${maxSeriesPoints}: a step of ${fits} ms or more fits`,
        },
        400,
      );
    }
    const aggregation = agg ?? 'avg';
    if (!aggregations.has(aggregation))
      return c.json({ error: `agg='${agg}' is not one of avg, min, max, sum, count, last` }, 400);
    // `hasSensor` answers from memory; a cluster's API process caches only sensors it met, so a
    // miss asks the registry itself.
    const id = c.req.param('id');
    if (!registry.hasSensor(id) && (await registry.getSensor(id)) === undefined)
      return c.json({ error: `no sensor '${id}'` }, 404);
    const points = await queries.series(id, fromMillis, toMillis, stepMillis, aggregation as Aggregation);
    return c.json({
      sensor: id,
      from: fromMillis,
      to: toMillis,
      step: stepMillis,
      agg: aggregation,
      points,
    });
  });

  return app;
}
