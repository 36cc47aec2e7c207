import type { Verdict, VerdictAction, WorkOrder, WorkOrderStatus } from './work-order.ts';

/** Where each action leads, and from which states it is allowed. */
const transitions: Record<VerdictAction, { from: readonly WorkOrderStatus[]; to: WorkOrderStatus }> = {
  acknowledge: { from: ['open'], to: 'acknowledged' },
  resolve: { from: ['open', 'acknowledged'], to: 'resolved' },
  'false-alarm': { from: ['open', 'acknowledged'], to: 'false-alarm' },
};

export interface VerdictInput {
  action: VerdictAction;
  by: string;
  /** Epoch milliseconds of the decision. */
  at: number;
  note: string | null;
  /** For `resolve`: when the failure happened or was found (epoch ms); defaults to `at`. */
  failureAt?: number | null;
}

export type TransitionResult =
  | { ok: true; order: WorkOrder; verdict: Verdict }
  | { ok: false; reason: 'invalid-transition'; status: WorkOrderStatus; action: VerdictAction };

/**
 * Applies an operator verdict. open → acknowledged → resolved | false-alarm; an open order may also
 * be resolved or dismissed directly. Closed orders take no further verdicts. An invalid transition is
 * a value, not an exception: the edge maps it to HTTP 409.
 */
export function applyVerdict(order: WorkOrder, input: VerdictInput): TransitionResult {
  const rule = transitions[input.action];
  if (!rule.from.includes(order.status)) {
    return { ok: false, reason: 'invalid-transition', status: order.status, action: input.action };
  }
  const verdict: Verdict = {
    action: input.action,
    from: order.status,
    to: rule.to,
    by: input.by,
    at: input.at,
    note: input.note,
  };
  const closes = rule.to === 'resolved' || rule.to === 'false-alarm';
  const failureAt = input.failureAt ?? input.at;
  const next: WorkOrder = {
    ...order,
    status: rule.to,
    verdicts: [...order.verdicts, verdict],
    closedAt: closes ? input.at : order.closedAt,
    leadTimeMillis: rule.to === 'resolved' ? failureAt - order.firstWarningAt : order.leadTimeMillis,
  };
  return { ok: true, order: next, verdict };
}
