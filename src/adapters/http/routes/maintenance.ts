import { Hono } from 'hono';
import type { Context } from 'hono';
import { isPlainText, isRecord, shownValue, unknownFields } from '../../../core/input-checks.ts';
import { parseJsonText } from '../../../core/json-text.ts';
import { verdictActions, workOrderStatuses } from '../../../core/maintenance/work-order.ts';
import type { VerdictAction, WorkOrderStatus } from '../../../core/maintenance/work-order.ts';
import type { MaintenanceRepository } from '../../../ports/maintenance.ts';
import type { Registry } from '../../../ports/registry.ts';
import type { DetectionService } from '../../../services/detection/detection-service.ts';
import { maxFailureBeforeWarningMillis } from '../../../core/maintenance/lifecycle.ts';
import type { AppEnv } from '../env.ts';
import { requireRole } from '../middleware/auth.ts';
import { unknownParameters } from '../query-parameters.ts';
import { instantRule, parseInstant } from '../time.ts';

export interface MaintenanceRouteDependencies {
  repository: MaintenanceRepository;
  detection: Pick<DetectionService, 'verdict' | 'scores' | 'status'>;
  /**
   * The sensor registry: a registered sensor not scored yet has an empty score series (200).
   * Without it, only a sensor with scores is known and any other one is a 404.
   */
  registry?: Pick<Registry, 'getSensor'>;
  /** The server's clock (epoch ms): a reported failure may not lie after it. */
  now?: () => number;
}

const listParameters = ['status', 'asset', 'assignee', 'limit', 'offset'];
const alertParameters = listParameters.filter((name) => name !== 'assignee');
const maxNoteCharacters = 2000;
const maxAssigneeCharacters = 200;
/** The fields each verdict's body may hold. */
const verdictFields: Record<VerdictAction, readonly string[]> = {
  acknowledge: ['note'],
  resolve: ['note', 'failureAt'],
  'false-alarm': ['note'],
  assign: ['assignee', 'note'],
  reopen: ['note'],
};
const anyVerdictField = [...new Set(Object.values(verdictFields).flat())];
const assigneeRule = `a person or crew of 1 to ${maxAssigneeCharacters} characters (no control characters), or null to clear the assignment`;
/** Clocks of the operator's device and the server may disagree by this much. */
const clockSkewMillis = 5 * 60_000;

/**
 * Alerts, work orders and their lifecycle, detector score series and the detection status. Mount at `/api/v1`:
 * `app.route('/api/v1', maintenanceRoutes(deps))`. Reading needs `read`; verdicts need `act`
 * (operator or admin).
 */
export function maintenanceRoutes(deps: MaintenanceRouteDependencies): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/alerts', requireRole('read'), async (c) => {
    // An alert has no assignee: its work order has.
    const assignee = c.req.query('assignee');
    if (assignee !== undefined)
      return c.json({ error: `assignee='${assignee}' filters work orders, not alerts` }, 400);
    const filter = listFilter(c, 100, alertParameters);
    if (typeof filter === 'string') return c.json({ error: filter }, 400);
    return c.json({ alerts: await deps.repository.listAlerts(filter) });
  });

  app.get('/work-orders', requireRole('read'), async (c) => {
    const filter = listFilter(c, 100, listParameters);
    if (typeof filter === 'string') return c.json({ error: filter }, 400);
    return c.json({ workOrders: await deps.repository.listWorkOrders(filter) });
  });

  app.get('/work-orders/:id', requireRole('read'), async (c) => {
    const order = await deps.repository.getWorkOrder(c.req.param('id'));
    return order === undefined
      ? c.json({ error: `no work order '${c.req.param('id')}'` }, 404)
      : c.json(order);
  });

  for (const action of verdictActions) {
    app.post(`/work-orders/:id/${action}`, requireRole('act'), (c) => decide(c, action));
  }

  app.get('/detection', requireRole('read'), (c) => {
    const unknown = unknownParameters(c, []);
    return unknown === undefined ? c.json(deps.detection.status()) : c.json({ error: unknown }, 400);
  });

  app.get('/sensors/:id/scores', requireRole('read'), async (c) => {
    const unknown = unknownParameters(c, ['from', 'to']);
    if (unknown !== undefined) return c.json({ error: unknown }, 400);
    const { from, to } = c.req.query();
    const toMillis = to === undefined ? Number.POSITIVE_INFINITY : parseInstant(to);
    if (toMillis === undefined) return c.json({ error: `to='${to}' must be ${instantRule}` }, 400);
    const fromMillis = from === undefined ? Number.NEGATIVE_INFINITY : parseInstant(from);
    if (fromMillis === undefined) return c.json({ error: `from='${from}' must be ${instantRule}` }, 400);
    if (fromMillis >= toMillis)
      return c.json({ error: `from (${fromMillis}) must be before to (${toMillis})` }, 400);
    const sensor = c.req.param('id');
    const points = await deps.detection.scores(sensor, fromMillis, toMillis);
    if (points !== undefined) return c.json({ sensor, points });
    // Known but not scored yet (no reading since it was registered, or since a restart): no points.
    if ((await deps.registry?.getSensor(sensor)) !== undefined) return c.json({ sensor, points: [] });
    return c.json({ error: `no sensor '${sensor}'` }, 404);
  });

  async function decide(c: Context<AppEnv>, action: VerdictAction): Promise<Response> {
    const body = await verdictBody(c, action, (deps.now ?? Date.now)());
    if (typeof body === 'string') return c.json({ error: body }, 400);
    const key = c.get('key');
    const id = c.req.param('id') ?? '';
    const result = await deps.detection.verdict(id, {
      action,
      by: key.name === '' ? key.id : `${key.name} (${key.id})`,
      ...body,
    });
    if (result.ok) return c.json(result.order);
    switch (result.reason) {
      case 'not-found':
        return c.json({ error: `no work order '${id}'` }, 404);
      case 'invalid-transition':
        return c.json(
          { error: `cannot ${action} a work order that is ${result.status}`, status: result.status },
          409,
        );
      case 'unchanged':
        return c.json(
          {
            error:
              result.assignee === null
                ? `work order '${id}' is not assigned to anyone`
                : `work order '${id}' is already assigned to '${result.assignee}'`,
          },
          409,
        );
      case 'another-active':
        return c.json(
          {
            error: `cannot reopen work order '${id}': asset '${result.asset}' already has the active work order '${result.active}' (one active order per asset); act on that one instead`,
            active: result.active,
          },
          409,
        );
      case 'failure-before-warning':
        return c.json(
          {
            error: `failureAt=${result.failureAt} (${new Date(result.failureAt).toISOString()}) lies more than ${maxFailureBeforeWarningMillis / 86_400_000} days before the order's first warning (${new Date(result.firstWarningAt).toISOString()}): give when this fault happened or was found, in epoch milliseconds (not seconds) or ISO-8601`,
          },
          400,
        );
    }
  }

  return app;
}

function listFilter(
  c: Context,
  defaultLimit: number,
  known: readonly string[],
): { status?: WorkOrderStatus; asset?: string; assignee?: string; limit: number; offset: number } | string {
  // A misspelt filter (`stauts=open`) would otherwise list everything.
  const unknown = unknownParameters(c, known);
  if (unknown !== undefined) return unknown;
  const { status, asset, assignee, limit, offset } = c.req.query();
  const count = limit === undefined ? defaultLimit : /^\d+$/.test(limit) ? Number(limit) : NaN;
  if (!Number.isInteger(count) || count < 1 || count > 10_000)
    return `limit='${limit}' must be an integer 1…10000`;
  const skipped = offset === undefined ? 0 : /^\d+$/.test(offset) ? Number(offset) : NaN;
  if (!Number.isSafeInteger(skipped)) return `offset='${offset}' must be an integer ≥ 0`;
  if (status !== undefined && !(workOrderStatuses as readonly string[]).includes(status)) {
    return `status='${status}' is not one of ${workOrderStatuses.join(', ')}`;
  }
  if (asset === '') return `asset='' must name an asset`;
  if (assignee !== undefined && assignee.trim() === '')
    return `assignee='${assignee}' must name a person or crew`;
  return {
    limit: count,
    offset: skipped,
    ...(status === undefined ? {} : { status: status as WorkOrderStatus }),
    ...(asset === undefined ? {} : { asset }),
    ...(assignee === undefined ? {} : { assignee: assignee.trim() }),
  };
}

interface VerdictBody {
  note: string | null;
  failureAt: number | null;
  assignee?: string | null;
}

/**
 * `{note?: string}` for every action, `failureAt?: ms | ISO-8601` on `resolve` only and not after
 * now, `assignee: string | null` on `assign` (required). An empty body is `{}`. A string says what
 * is wrong.
 */
async function verdictBody(
  c: Context,
  action: VerdictAction,
  nowMillis: number,
): Promise<VerdictBody | string> {
  const text = await c.req.text();
  if (text.trim() === '')
    return action === 'assign' ? `assignee is required: ${assigneeRule}` : { note: null, failureAt: null };
  const json = parseJsonText(text);
  if (!json.ok) return json.error;
  const body = json.value;
  if (!isRecord(body)) return 'body must be a JSON object';
  // A misspelt field (`failure_at`) would otherwise be dropped and the lead time computed without it.
  const [unknown] = unknownFields(body, anyVerdictField);
  if (unknown !== undefined) return `field '${unknown}' is not one of ${verdictFields[action].join(', ')}`;
  const { note, failureAt } = body;
  if (note !== undefined && note !== null && (typeof note !== 'string' || note.length > maxNoteCharacters)) {
    return `note must be a string of at most ${maxNoteCharacters} characters`;
  }
  let failureMillis: number | null = null;
  if (failureAt !== undefined && failureAt !== null) {
    failureMillis =
      typeof failureAt === 'number'
        ? failureAt
        : typeof failureAt === 'string'
          ? (parseInstant(failureAt) ?? NaN)
          : NaN;
    if (!Number.isSafeInteger(failureMillis) || failureMillis < 0)
      return `failureAt=${JSON.stringify(failureAt)} must be ${instantRule}`;
    if (action !== 'resolve')
      return `failureAt=${JSON.stringify(failureAt)}: only resolve takes a failure time, not ${action}`;
    if (failureMillis > nowMillis + clockSkewMillis)
      return `failureAt=${JSON.stringify(failureAt)} lies in the future (now is ${new Date(nowMillis).toISOString()}): give when the failure happened or was found`;
  }
  const parsed: VerdictBody = { note: typeof note === 'string' ? note : null, failureAt: failureMillis };
  if (action !== 'assign') {
    if ('assignee' in body)
      return `assignee=${JSON.stringify(body.assignee)}: only assign takes an assignee, not ${action}`;
    return parsed;
  }
  if (!('assignee' in body)) return `assignee is required: ${assigneeRule}`;
  const assignee = assigneeOf(body.assignee);
  if (assignee === undefined) return `assignee=${shownValue(body.assignee)} must be ${assigneeRule}`;
  return { ...parsed, assignee };
}

/** The trimmed name, null to clear, undefined when it breaks the rule. */
function assigneeOf(value: unknown): string | null | undefined {
  if (value === null) return null;
  if (typeof value !== 'string') return undefined;
  const name = value.trim();
  return isPlainText(name, maxAssigneeCharacters) ? name : undefined;
}
