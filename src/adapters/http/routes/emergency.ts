import { Hono } from 'hono';
import type { Context } from 'hono';
import { parsePresentation } from '../../../core/triage/presentation-input.ts';
import { isLevel } from '../../../core/triage/presentation.ts';
import type { EmergencyService } from '../../../services/emergency/emergency-service.ts';
import { hospitalsSnapshot } from '../../../services/emergency/hospitals-view.ts';
import type { AppEnv } from '../env.ts';
import { requireRole } from '../middleware/auth.ts';

async function jsonBody(c: Context<AppEnv>): Promise<{ ok: true; body: unknown } | { ok: false }> {
  try {
    return { ok: true, body: await c.req.json() };
  } catch {
    return { ok: false };
  }
}

const malformed = { error: 'body must be JSON' };

/**
 * Triage and emergency load. Mount at `/api/v1`:
 * `POST /triage`, `GET /emergency/departments`, `GET /emergency/departments/:id/queue`,
 * `POST /emergency/departments/:id/patients`, `POST /emergency/departments/:id/next`,
 * `DELETE /emergency/departments/:id/patients/:patient` (left without being seen),
 * `POST /ems/destination`, `GET /ems/recommendations`, and `GET /hospitals` (the dashboard's view).
 */
export function emergencyRoutes(service: EmergencyService): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post('/triage', requireRole('read'), async (c) => {
    const parsed = await jsonBody(c);
    if (!parsed.ok) return c.json(malformed, 400);
    const presentation = parsePresentation(parsed.body);
    if (!presentation.ok) return c.json({ error: 'invalid presentation', issues: presentation.errors }, 400);
    return c.json(service.triage(presentation.presentation));
  });

  app.get('/emergency/departments', requireRole('read'), async (c) =>
    c.json({ departments: await service.departments() }),
  );

  app.get('/emergency/departments/:id/queue', requireRole('read'), async (c) => {
    const queue = await service.queue(c.req.param('id'));
    if (queue === undefined) return c.json({ error: `no hospital '${c.req.param('id')}'` }, 404);
    return c.json({ hospital: c.req.param('id'), queue });
  });

  app.post('/emergency/departments/:id/patients', requireRole('operator'), async (c) => {
    const parsed = await jsonBody(c);
    if (!parsed.ok) return c.json(malformed, 400);
    const body = parsed.body as { patientId?: unknown; presentation?: unknown } | null;
    const patientId = body?.patientId;
    if (patientId !== undefined && (typeof patientId !== 'string' || patientId === ''))
      return c.json({ error: `patientId ${JSON.stringify(patientId)} must be a non-empty string` }, 400);
    const presentation = parsePresentation(body?.presentation);
    if (!presentation.ok) return c.json({ error: 'invalid presentation', issues: presentation.errors }, 400);
    const outcome = await service.admit(c.req.param('id'), presentation.presentation, patientId);
    if (!outcome.ok) return c.json({ error: outcome.reason }, outcome.status);
    return c.json(outcome, 201);
  });

  app.post('/emergency/departments/:id/next', requireRole('operator'), async (c) => {
    const entry = await service.callNext(c.req.param('id'));
    if (entry === null) return c.json({ error: `no hospital '${c.req.param('id')}'` }, 404);
    return c.json({ patient: entry ?? null });
  });

  // A patient who left without being seen.
  app.delete('/emergency/departments/:id/patients/:patient', requireRole('operator'), async (c) => {
    const hospital = c.req.param('id');
    const patient = c.req.param('patient');
    const withdrawn = await service.withdraw(hospital, patient);
    if (withdrawn === null) return c.json({ error: `no hospital '${hospital}'` }, 404);
    if (!withdrawn) return c.json({ error: `patient '${patient}' is not waiting at ${hospital}` }, 404);
    return c.body(null, 204);
  });

  app.post('/ems/destination', requireRole('read'), async (c) => {
    const parsed = await jsonBody(c);
    if (!parsed.ok) return c.json(malformed, 400);
    const body = (parsed.body ?? {}) as { location?: { lat?: unknown; lon?: unknown }; level?: unknown };
    const lat = body.location?.lat;
    const lon = body.location?.lon;
    const issues: { field: string; value: unknown; rule: string }[] = [];
    if (typeof lat !== 'number' || !(lat >= -90 && lat <= 90))
      issues.push({ field: 'location.lat', value: lat, rule: 'must be a number in [-90, 90]' });
    if (typeof lon !== 'number' || !(lon >= -180 && lon <= 180))
      issues.push({ field: 'location.lon', value: lon, rule: 'must be a number in [-180, 180]' });
    if (typeof body.level !== 'number' || !isLevel(body.level))
      issues.push({ field: 'level', value: body.level, rule: 'must be a triage level 1–5' });
    if (issues.length > 0) return c.json({ error: 'invalid request', issues }, 400);
    const recommendation = await service.recommend(
      lat as number,
      lon as number,
      body.level as 1 | 2 | 3 | 4 | 5,
    );
    if (!recommendation.ok) return c.json({ error: recommendation.reason }, 409);
    return c.json(recommendation);
  });

  app.get('/ems/recommendations', requireRole('read'), (c) => c.json({ recommendations: service.recent() }));

  app.get('/hospitals', requireRole('read'), async (c) => c.json(await hospitalsSnapshot(service)));

  return app;
}
