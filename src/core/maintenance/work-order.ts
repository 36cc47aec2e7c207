import type { Alert } from './alert.ts';
import { maxSeverity, severityOf } from './severity.ts';
import type { Severity } from './severity.ts';

export const workOrderStatuses = ['open', 'acknowledged', 'resolved', 'false-alarm'] as const;
export type WorkOrderStatus = (typeof workOrderStatuses)[number];

/**
 * What an operator can do to a work order: move it through its lifecycle, assign it to a person or
 * crew while it is active (`assign`, which keeps the status), or reopen a closed one (`reopen`).
 */
export const verdictActions = ['acknowledge', 'resolve', 'false-alarm', 'assign', 'reopen'] as const;
export type VerdictAction = (typeof verdictActions)[number];

/** An operator's decision on a work order, kept as the audit trail. `at` is epoch milliseconds. */
export interface Verdict {
  action: VerdictAction;
  from: WorkOrderStatus;
  to: WorkOrderStatus;
  by: string;
  at: number;
  note: string | null;
  /** For `assign`: who the order was given to, null when the assignment was cleared. */
  assignee?: string | null;
}

/**
 * The maintenance task for one asset. While it is active (open or acknowledged) it is the only
 * active order of its asset; further alerts of the asset update it. Times are epoch milliseconds:
 * `firstWarningAt` and `lastAlertAt` are event times of alerts, `closedAt` the verdict time.
 * `leadTimeMillis` is the warning the city had: from the first alert to the failure the operator
 * reports when resolving (or to the resolution itself); negative when the failure came before the
 * first warning (the warning came late); null until resolved and for false alarms. `assignee` is the
 * person or crew the order was given to (free text), null when nobody is.
 */
export interface WorkOrder {
  id: string;
  asset: string;
  assetType: string;
  status: WorkOrderStatus;
  severity: Severity;
  maxScore: number;
  threshold: number;
  firstWarningAt: number;
  lastAlertAt: number;
  sensors: string[];
  alertIds: string[];
  verdicts: Verdict[];
  closedAt: number | null;
  leadTimeMillis: number | null;
  assignee: string | null;
}

/** A stored order as read back: orders kept before assignments existed have no `assignee`. */
export function storedWorkOrder(
  stored: Omit<WorkOrder, 'assignee'> & { assignee?: string | null },
): WorkOrder {
  return { ...stored, assignee: stored.assignee ?? null };
}

export function isActive(order: WorkOrder): boolean {
  return order.status === 'open' || order.status === 'acknowledged';
}

/** The alert as it arrives at the rules, before it is attached to a work order. */
export type AlertDraft = Omit<Alert, 'workOrder'>;

/**
 * Attaches an alert to its asset's active work order, or opens a new one with `newOrderId` when the
 * asset has none (`active` undefined, or closed). Pure: returns the new order, the caller stores it.
 */
export function applyAlert(
  active: WorkOrder | undefined,
  alert: AlertDraft,
  assetType: string,
  newOrderId: string,
): { order: WorkOrder; alert: Alert; opened: boolean } {
  if (active !== undefined && isActive(active) && active.asset === alert.asset) {
    const sensors = active.sensors.includes(alert.sensor)
      ? active.sensors
      : [...active.sensors, alert.sensor];
    const maxScore = Math.max(active.maxScore, alert.score);
    const severity = maxSeverity(
      active.severity,
      severityOf(maxScore, alert.threshold, assetType, sensors.length),
    );
    const order: WorkOrder = {
      ...active,
      assetType,
      severity,
      maxScore,
      sensors,
      firstWarningAt: Math.min(active.firstWarningAt, alert.ts),
      lastAlertAt: Math.max(active.lastAlertAt, alert.ts),
      alertIds: [...active.alertIds, alert.id],
    };
    return { order, alert: { ...alert, workOrder: active.id }, opened: false };
  }
  const order: WorkOrder = {
    id: newOrderId,
    asset: alert.asset,
    assetType,
    status: 'open',
    severity: severityOf(alert.score, alert.threshold, assetType, 1),
    maxScore: alert.score,
    threshold: alert.threshold,
    firstWarningAt: alert.ts,
    lastAlertAt: alert.ts,
    sensors: [alert.sensor],
    alertIds: [alert.id],
    verdicts: [],
    closedAt: null,
    leadTimeMillis: null,
    assignee: null,
  };
  return { order, alert: { ...alert, workOrder: newOrderId }, opened: true };
}
