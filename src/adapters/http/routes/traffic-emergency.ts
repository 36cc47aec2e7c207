import { Hono } from 'hono';
import { isPlainText, isRecord, shownValue, unknownFields } from '../../../core/input-checks.ts';
import type { LiveTraffic } from '../../../services/traffic/live-traffic.ts';
import type { AppEnv } from '../env.ts';
import { jsonBody } from '../json-body.ts';
import { requireRole } from '../middleware/auth.ts';

/** What the route needs of the live district. */
export type EmergencyVehicleSender = Pick<LiveTraffic, 'sendEmergencyVehicle'>;

type Issue = { field: string; value: unknown; rule: string };

const maxIdLength = 256;
/** Longest refused text carried back whole (an intersection id at most). */
const maxShownCharacters = maxIdLength;

/** `{from, to}` (intersection ids), or the issues, field by field. */
function readTrip(body: unknown): { ok: true; from: string; to: string } | { ok: false; issues: Issue[] } {
  if (!isRecord(body))
    return {
      ok: false,
      issues: [{ field: '(body)', value: body, rule: 'must be a JSON object {"from", "to"}' }],
    };
  const issues: Issue[] = unknownFields(body, ['from', 'to']).map((field) => ({
    field,
    value: body[field] ?? null,
    rule: 'is an unknown field (known: from, to)',
  }));
  for (const field of ['from', 'to'] as const) {
    const value = body[field];
    if (!isPlainText(value, maxIdLength))
      issues.push({
        field,
        value: value ?? null,
        rule: `must be an intersection id (a string of 1 to ${maxIdLength} characters, not blank, without control characters)`,
      });
  }
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, from: body['from'] as string, to: body['to'] as string };
}

/** The issues in one line and one by one, long text cut short (an id of 100,000 characters was sent back twice). */
function refusal(issues: Issue[]): { error: string; issues: Issue[] } {
  const lines = issues.map((i) => `${i.field} ${shownValue(i.value ?? null)} ${i.rule}`);
  const listed = issues.map((i) =>
    typeof i.value === 'string' && i.value.length > maxShownCharacters
      ? { ...i, value: `${i.value.slice(0, maxShownCharacters - 1)}…` }
      : i,
  );
  return { error: `invalid emergency vehicle: ${lines.join('; ')}`, issues: listed };
}

/**
 * `POST /traffic/emergency-vehicles` (operator): sends an emergency vehicle through the live
 * district, `{from, to}` intersection ids as `GET /traffic` lists them. Mount at `/api/v1`; 404
 * while no live district runs.
 */
export function trafficEmergencyRoutes(traffic: () => EmergencyVehicleSender | null): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post('/traffic/emergency-vehicles', requireRole('operator'), async (c) => {
    const live = traffic();
    if (live === null)
      return c.json(
        { error: 'no live traffic district is running: the demo city brings one (`npm start`)' },
        404,
      );
    const body = await jsonBody(c);
    if (!body.ok) return c.json({ error: body.error }, 400);
    const trip = readTrip(body.value);
    if (!trip.ok) return c.json(refusal(trip.issues), 400);
    const sent = live.sendEmergencyVehicle(trip.from, trip.to);
    if (!sent.ok && sent.reason === 'too-many') {
      // One arrives within a few minutes of the district's time; asking again sooner is in vain.
      c.header('Retry-After', '10');
      return c.json({ error: sent.rule }, 429);
    }
    if (!sent.ok) return c.json(refusal([{ field: sent.field, value: sent.value, rule: sent.rule }]), 400);
    const { id, from, to, route, roads, startedSeconds } = sent.vehicle;
    return c.json({ id, from, to, route, roads, startedSeconds }, 201);
  });

  return app;
}
