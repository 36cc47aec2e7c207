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
  /** Orders assigned to this person or crew (exact match). */
  assignee?: string;
  /** Most recently alerted first, at most this many, after skipping `offset` (default 0). */
  limit: number;
  offset?: number;
}

/** The outcome of `updateWorkOrder`. */
export type WorkOrderUpdate =
  | { ok: true; order: WorkOrder }
  | { ok: false; reason: 'not-found' | 'unchanged' }
  /** The change would make the order active while its `asset` has another active order, `active`. */
  | { ok: false; reason: 'another-active'; asset: string; active: string };

/**
 * The outcome of `recordAlert`: what was stored, the alert and its order as they are in the store
 * (`opened` when the alert opened the order), or `recorded: false` when the alert was a repeat.
 */
export type AlertRecord =
  { recorded: true; alert: Alert; order: WorkOrder; opened: boolean } | { recorded: false };

/**
 * Alerts, work orders and operator verdicts (kept inside each work order). `saveWorkOrder` creates or
 * replaces by id; an order with no verdict yet and one with verdicts are stored the same way.
 */
export interface MaintenanceRepository {
  /**
   * Stores an alert and the order it opened or updated, together, and answers with what it stored:
   * a repository shared by several processes applies the alert to the asset's order as it is when
   * the alert is written, so the stored order (and the alert's `workOrder`) may differ from those
   * given. An alert of a (sensor, ts) already recorded (a reading scored again after a crash) is
   * dropped with its order change: `{recorded: false}`.
   */
  recordAlert(alert: Alert, order: WorkOrder): Promise<AlertRecord>;
  saveWorkOrder(order: WorkOrder): Promise<void>;
  /**
   * Reads the order, passes it to `change` and stores what that returns (undefined: nothing, the
   * answer is `unchanged`), with no other write to the order in between, whichever process writes.
   * Refuses a change that makes the order active while its asset has another active order.
   */
  updateWorkOrder(
    id: string,
    change: (current: WorkOrder) => WorkOrder | undefined,
  ): Promise<WorkOrderUpdate>;
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
  /**
   * Hands every saved state to `each`, a chunk at a time, waiting for each call before reading on:
   * a million sensors' states are never all in memory at once. `each` must not call the store.
   */
  loadDetectorStates(each: (states: DetectorState[]) => Promise<void>): Promise<void>;
  /**
   * Records that the saved states reflect every reading scored before `atMillis` (epoch ms). After
   * a crash, sensors without a saved state are caught up from their readings timed shortly before
   * it; a store without these two methods leaves that catch-up bounded by its cap alone.
   */
  markStatesSaved?(atMillis: number): Promise<void>;
  /** The time last given to `markStatesSaved`; undefined before the first. */
  statesSavedAt?(): Promise<number | undefined>;
  /**
   * Present on a store that keeps whole snapshots, not states one by one: each save begins with
   * this call, is then given every sensor's state, and replaces the last snapshot only once
   * `markStatesSaved` ends it (a save that never ends leaves the last snapshot as it was). Such a
   * store has `markStatesSaved` too.
   */
  beginSnapshot?(): Promise<void>;
}
