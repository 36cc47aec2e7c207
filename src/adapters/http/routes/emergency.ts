import { Hono } from 'hono';
import type { Context } from 'hono';
import { isPlainText, isRecord, unknownFields } from '../../../core/input-checks.ts';
import { parsePresentation } from '../../../core/triage/presentation-input.ts';
import { isLevel, type Level, type Presentation } from '../../../core/triage/presentation.ts';
import type { EmergencyService, NoDestination } from '../../../services/emergency/emergency-service.ts';
import { hospitalsSnapshot } from '../../../services/emergency/hospitals-view.ts';
import type { AppEnv } from '../env.ts';
import { jsonBody } from '../json-body.ts';
import { paging } from '../paging.ts';
import { unknownParameters } from '../query-parameters.ts';
import { requireRole } from '../middleware/auth.ts';

type Issue = { field: string; value: unknown; rule: string };

/** Fields of `record` not in `known`, each an issue (a misspelt `lng` must not pass unnoticed). */
function unknownFieldIssues(record: Record<string, unknown>, known: readonly string[], prefix = ''): Issue[] {
  return unknownFields(record, known).map((field) => ({
    field: `${prefix}${field}`,
    value: record[field] ?? null,
    rule: `is an unknown field (known: ${known.join(', ')})`,
  }));
}

/** `{location: {lat, lon}, level}` of a destination or dispatch request, or the issues, field by field. */
function readDestination(
  body: unknown,
): { ok: true; lat: number; lon: number; level: Level } | { ok: false; issues: Issue[] } {
  if (!isRecord(body))
    return { ok: false, issues: [{ field: '(body)', value: body, rule: 'must be a JSON object' }] };
  const issues: Issue[] = unknownFieldIssues(body, ['location', 'level']);
  const location = body['location'];
  if (location !== undefined && location !== null && !isRecord(location))
    issues.push({ field: 'location', value: location, rule: 'must be an object {"lat", "lon"}' });
  const place = isRecord(location) ? location : {};
  issues.push(...unknownFieldIssues(place, ['lat', 'lon'], 'location.'));
  const { lat, lon } = place;
  const level = body['level'];
  // A missing field is named with value null (JSON has no undefined).
  if (typeof lat !== 'number' || !(lat >= -90 && lat <= 90))
    issues.push({ field: 'location.lat', value: lat ?? null, rule: 'must be a number in [-90, 90]' });
  if (typeof lon !== 'number' || !(lon >= -180 && lon <= 180))
    issues.push({ field: 'location.lon', value: lon ?? null, rule: 'must be a number in [-180, 180]' });
  if (typeof level !== 'number' || !isLevel(level))
    issues.push({ field: 'level', value: level ?? null, rule: 'must be a triage level 1–5' });
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, lat: lat as number, lon: lon as number, level: level as Level };
}

/**
 * Patient and trip ids: what a URL path can carry back (a withdrawal, a trip's end), URL-encoded.
 * Any character can be (`a/b` is `a%2Fb`), but `.` and `..` cannot: URLs normalise them away.
 */
const maxIdLength = 256;
const idRule = `1 to ${maxIdLength} characters, not blank, without control characters, and not "." or ".." (a URL path drops those)`;

function isPathId(value: unknown): value is string {
  return isPlainText(value, maxIdLength) && value !== '.' && value !== '..';
}

/** An admission refused: one line naming each field, its value and the rule, and the issues. */
function refused(issues: Issue[]): { ok: false; error: string; issues: Issue[] } {
  const shown = (value: unknown): string => {
    const text = JSON.stringify(value) ?? 'null';
    return text.length > 60 ? `${text.slice(0, 59)}…` : text;
  };
  const lines = issues.map((issue) => `${issue.field} ${shown(issue.value)} ${issue.rule}`);
  return { ok: false, error: `invalid admission: ${lines.join('; ')}`, issues };
}

type Admission = { patientId?: string; tripId?: string; presentation: Presentation };

/** `{patientId?, tripId?, presentation}` of an admission, or the issues, field by field. */
function readAdmission(
  body: unknown,
): { ok: true; admission: Admission } | { ok: false; error: string; issues: Issue[] } {
  if (!isRecord(body)) return refused([{ field: '(body)', value: body, rule: 'must be a JSON object' }]);
  const issues: Issue[] = unknownFieldIssues(body, ['patientId', 'tripId', 'presentation']);
  const { patientId, tripId, presentation } = body;
  for (const [field, value] of [
    ['patientId', patientId],
    ['tripId', tripId],
  ] as const)
    if (value !== undefined && !isPathId(value)) issues.push({ field, value, rule: `must be ${idRule}` });
  if (!isRecord(presentation))
    issues.push({
      field: 'presentation',
      value: presentation ?? null,
      rule: 'must be an object (the presentation at the door)',
    });
  if (issues.length > 0) return refused(issues);
  const parsed = parsePresentation(presentation);
  if (!parsed.ok) return { ok: false, error: 'invalid presentation', issues: parsed.errors };
  return {
    ok: true,
    admission: {
      presentation: parsed.presentation,
      ...(patientId === undefined ? {} : { patientId: patientId as string }),
      ...(tripId === undefined ? {} : { tripId: tripId as string }),
    },
  };
}

/** A location no hospital serves is the request's fault (400); no hospital to take a patient is 409. */
function noDestination(c: Context<AppEnv>, outcome: NoDestination, lat: number, lon: number): Response {
  if (outcome.status === 409) return c.json({ error: outcome.reason }, 409);
  const issue = { field: 'location', value: { lat, lon }, rule: outcome.reason };
  return c.json({ error: `location ${outcome.reason}`, issues: [issue] }, 400);
}

/**
 * Triage and emergency load. Mount at `/api/v1`:
 * `POST /triage`, `GET /emergency/departments`, `GET /emergency/departments/:id/queue`,
 * `POST /emergency/departments/:id/patients`, `POST /emergency/departments/:id/next`,
 * `DELETE /emergency/departments/:id/patients/:patient` (left without being seen),
 * `POST /ems/destination` (a recommendation: changes nothing), `POST /ems/dispatches` (send an
 * ambulance: it counts as en route), `GET /ems/dispatches`, `DELETE /ems/dispatches/:trip`,
 * `GET /ems/recommendations` (recent dispatches), and `GET /hospitals` (the dashboard's view).
 */
export function emergencyRoutes(service: EmergencyService): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post('/triage', requireRole('read'), async (c) => {
    const parsed = await jsonBody(c);
    if (!parsed.ok) return c.json({ error: parsed.error }, 400);
    const presentation = parsePresentation(parsed.value);
    if (!presentation.ok) return c.json({ error: 'invalid presentation', issues: presentation.errors }, 400);
    return c.json(service.triage(presentation.presentation));
  });

  app.get('/emergency/departments', requireRole('read'), async (c) =>
    c.json({ departments: await service.departments() }),
  );

  app.get('/emergency/departments/:id/queue', requireRole('read'), async (c) => {
    const queue = await service.queue(c.req.param('id'));
    if (queue === undefined) return c.json({ error: service.unknownHospital(c.req.param('id')) }, 404);
    return c.json({ hospital: c.req.param('id'), queue });
  });

  app.post('/emergency/departments/:id/patients', requireRole('operator'), async (c) => {
    const parsed = await jsonBody(c);
    if (!parsed.ok) return c.json({ error: parsed.error }, 400);
    const request = readAdmission(parsed.value);
    if (!request.ok) return c.json({ error: request.error, issues: request.issues }, 400);
    const { presentation, patientId, tripId } = request.admission;
    const outcome = await service.admit(c.req.param('id'), presentation, patientId, tripId);
    if (!outcome.ok) return c.json({ error: outcome.reason }, outcome.status);
    return c.json(outcome, 201);
  });

  app.post('/emergency/departments/:id/next', requireRole('operator'), async (c) => {
    const entry = await service.callNext(c.req.param('id'));
    if (entry === null) return c.json({ error: service.unknownHospital(c.req.param('id')) }, 404);
    return c.json({ patient: entry ?? null });
  });

  // A patient who left without being seen.
  app.delete('/emergency/departments/:id/patients/:patient', requireRole('operator'), async (c) => {
    const hospital = c.req.param('id');
    const patient = c.req.param('patient');
    const withdrawn = await service.withdraw(hospital, patient);
    if (withdrawn === null) return c.json({ error: service.unknownHospital(hospital) }, 404);
    if (!withdrawn) return c.json({ error: `patient '${patient}' is not waiting at ${hospital}` }, 404);
    return c.body(null, 204);
  });

  // A recommendation only: any key may ask, and nothing is counted.
  app.post('/ems/destination', requireRole('read'), async (c) => {
    const parsed = await jsonBody(c);
    if (!parsed.ok) return c.json({ error: parsed.error }, 400);
    const request = readDestination(parsed.value);
    if (!request.ok) return c.json({ error: 'invalid request', issues: request.issues }, 400);
    const outcome = await service.recommend(request.lat, request.lon, request.level);
    if (!outcome.ok) return noDestination(c, outcome, request.lat, request.lon);
    return c.json(outcome);
  });

  // An ambulance sets off for the recommended hospital: later choices count it there.
  app.post('/ems/dispatches', requireRole('operator'), async (c) => {
    const parsed = await jsonBody(c);
    if (!parsed.ok) return c.json({ error: parsed.error }, 400);
    const request = readDestination(parsed.value);
    if (!request.ok) return c.json({ error: 'invalid request', issues: request.issues }, 400);
    const outcome = await service.dispatch(request.lat, request.lon, request.level);
    if (!outcome.ok) return noDestination(c, outcome, request.lat, request.lon);
    return c.json(outcome, 201);
  });

  // `?hospital=&level=` filter, `?limit=&offset=` page the ambulances en route (dispatch order).
  app.get('/ems/dispatches', requireRole('read'), async (c) => {
    const unknown = unknownParameters(c, ['hospital', 'level', 'limit', 'offset']);
    if (unknown !== undefined) return c.json({ error: unknown }, 400);
    const page = paging(c);
    if (typeof page === 'string') return c.json({ error: page }, 400);
    const hospital = c.req.query('hospital');
    const level = c.req.query('level');
    if (level !== undefined && !isLevel(Number(level)))
      return c.json({ error: `level=${JSON.stringify(level)} must be a triage level 1–5` }, 400);
    const matching = (await service.dispatches()).filter(
      (trip) =>
        (hospital === undefined || trip.hospital === hospital) &&
        (level === undefined || trip.level === Number(level)),
    );
    return c.json({ dispatches: matching.slice(page.offset, page.offset + page.limit) });
  });

  // The trip is over: arrived, diverted or stood down.
  app.delete('/ems/dispatches/:trip', requireRole('operator'), async (c) => {
    const trip = c.req.param('trip');
    if (!(await service.endDispatch(trip)))
      return c.json(
        { error: `no ambulance en route on trip '${trip}' (ended, overdue, or never dispatched here)` },
        404,
      );
    return c.body(null, 204);
  });

  app.get('/ems/recommendations', requireRole('read'), (c) => c.json({ recommendations: service.recent() }));

  app.get('/hospitals', requireRole('read'), async (c) => c.json(await hospitalsSnapshot(service)));

  return app;
}
