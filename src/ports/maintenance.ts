import type { Alert } from '../core/maintenance/alert.ts';
import type { WorkOrder, WorkOrderStatus } from '../core/maintenance/work-order.ts';

export interface AlertFilter {
  /** Status of the work order the alert belongs to. */
  status?: WorkOrderStatus;
  asset?: string;
  /** Most recent first, at most this many, after skipping `offset` (default 0). */
  limit: number;
  offset?: number;
}

export interface WorkOrderFilter {
  status?: WorkOrderStatus;
  asset?: string;
  /** Most recently alerted first, at most this many, after skipping `offset` (default 0). */
  limit: number;
  offset?: number;
}

/**
 * Alerts, work orders and operator verdicts (kept inside each work order). `saveWorkOrder` creates or
 * replaces by id; an order with no verdict yet and one with verdicts are stored the same way.
 */
export interface MaintenanceRepository {
  /**
   * Stores an alert and the order it opened or updated, together. An alert of a (sensor, ts) already
   * recorded (a reading scored again after a crash) is dropped with its order change.
   */
  recordAlert(alert: Alert, order: WorkOrder): Promise<void>;
  saveWorkOrder(order: WorkOrder): Promise<void>;
  getWorkOrder(id: string): Promise<WorkOrder | undefined>;
  /** The open or acknowledged order of an asset, if any. */
  activeWorkOrder(asset: string): Promise<WorkOrder | undefined>;
  /** Most recently alerted first. */
  listWorkOrders(filter: WorkOrderFilter): Promise<WorkOrder[]>;
  /** Most recent first. */
  listAlerts(filter: AlertFilter): Promise<Alert[]>;
  close(): Promise<void>;
}

/** Saved detector state of one sensor: the detector's own bytes plus the alerting memory. */
export interface DetectorState {
  sensor: string;
  state: Uint8Array;
  /** Time of the last reading the detector saw (epoch ms): older or re-sent readings are skipped. */
  lastTs: number;
  lastAlertAt: number | null;
}

/** Where detector snapshots live, so a restart resumes instead of learning from zero. */
export interface DetectorStateStore {
  /** Creates or replaces the state of each sensor given. */
  saveDetectorStates(states: readonly DetectorState[]): Promise<void>;
  loadDetectorStates(): Promise<DetectorState[]>;
}
