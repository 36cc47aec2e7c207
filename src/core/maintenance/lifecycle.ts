import type { Verdict, VerdictAction, WorkOrder, WorkOrderStatus } from './work-order.ts';

const active: readonly WorkOrderStatus[] = ['open', 'acknowledged'];
const closed: readonly WorkOrderStatus[] = ['resolved', 'false-alarm'];

/** Where each action leads (`same`: the status stays), and from which states it is allowed. */
const transitions: Record<VerdictAction, { from: readonly WorkOrderStatus[]; to: WorkOrderStatus | 'same' }> =
  {
    acknowledge: { from: ['open'], to: 'acknowledged' },
    resolve: { from: active, to: 'resolved' },
    'false-alarm': { from: active, to: 'false-alarm' },
    assign: { from: active, to: 'same' },
    reopen: { from: closed, to: 'open' },
  };

/**
 * How long before an order's first warning a reported failure may lie (30 days). A warning that
 * came later than that did not warn of this failure; such a time is mostly epoch seconds sent as
 * milliseconds (a date in January 1970), which would keep a lead time of minus 56 years.
 */
export const maxFailureBeforeWarningMillis = 30 * 86_400_000;

export interface VerdictInput {
  action: VerdictAction;
  by: string;
  /** Epoch milliseconds of the decision. */
  at: number;
  note: string | null;
  /** For `resolve`: when the failure happened or was found (epoch ms); defaults to `at`. */
  failureAt?: number | null;
  /** For `assign`: the person or crew, null to clear the assignment. */
  assignee?: string | null;
}

export type TransitionResult =
  | { ok: true; order: WorkOrder; verdict: Verdict }
  | { ok: false; reason: 'invalid-transition'; status: WorkOrderStatus; action: VerdictAction }
  /** `assign` to whom the order is already assigned (or clearing an unassigned order). */
  | { ok: false; reason: 'unchanged'; assignee: string | null }
  /** `resolve` with a failure time more than `maxFailureBeforeWarningMillis` before the first warning. */
  | { ok: false; reason: 'failure-before-warning'; failureAt: number; firstWarningAt: number };

/**
 * Applies an operator verdict. open → acknowledged → resolved | false-alarm; an open order may also be
 * resolved or dismissed directly; an active order may be assigned (the status stays); a closed one may
 * be reopened (open again, its closing time and lead time cleared; the verdicts are kept). A refused
 * verdict is a value, not an exception: the edge maps it to HTTP 409 (400 for the failure time). The
 * rule of one active order per asset is the repository's to keep on `reopen`.
 */
export function applyVerdict(order: WorkOrder, input: VerdictInput): TransitionResult {
  const rule = transitions[input.action];
  if (!rule.from.includes(order.status)) {
    return { ok: false, reason: 'invalid-transition', status: order.status, action: input.action };
  }
  const assignee = input.action === 'assign' ? (input.assignee ?? null) : order.assignee;
  if (input.action === 'assign' && assignee === order.assignee) {
    return { ok: false, reason: 'unchanged', assignee };
  }
  const failureAt = input.failureAt ?? input.at;
  if (input.action === 'resolve' && failureAt < order.firstWarningAt - maxFailureBeforeWarningMillis) {
    return { ok: false, reason: 'failure-before-warning', failureAt, firstWarningAt: order.firstWarningAt };
  }
  const to = rule.to === 'same' ? order.status : rule.to;
  const verdict: Verdict = {
    action: input.action,
    from: order.status,
    to,
    by: input.by,
    at: input.at,
    note: input.note,
    ...(input.action === 'assign' ? { assignee } : {}),
  };
  const closes = input.action === 'resolve' || input.action === 'false-alarm';
  const reopens = input.action === 'reopen';
  const next: WorkOrder = {
    ...order,
    status: to,
    assignee,
    verdicts: [...order.verdicts, verdict],
    closedAt: closes ? input.at : reopens ? null : order.closedAt,
    leadTimeMillis:
      input.action === 'resolve' ? failureAt - order.firstWarningAt : reopens ? null : order.leadTimeMillis,
  };
  return { ok: true, order: next, verdict };
}
