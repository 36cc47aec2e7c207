import type { Alert } from '../../core/maintenance/alert.ts';
import { isActive } from '../../core/maintenance/work-order.ts';
import type { WorkOrder } from '../../core/maintenance/work-order.ts';
import type {
  AlertFilter,
  AlertRecord,
  DetectorState,
  DetectorStateStore,
  MaintenanceRepository,
  WorkOrderFilter,
  WorkOrderUpdate,
} from '../../ports/maintenance.ts';

/** Alerts, work orders and detector states in memory: for unit tests and the demo. */
export class MemoryMaintenanceRepository implements MaintenanceRepository, DetectorStateStore {
  readonly #alerts: Alert[] = [];
  readonly #orders = new Map<string, WorkOrder>();
  readonly #states = new Map<string, DetectorState>();
  #statesSavedAt: number | undefined;

  async recordAlert(alert: Alert, order: WorkOrder): Promise<AlertRecord> {
    if (this.#alerts.some((kept) => kept.sensor === alert.sensor && kept.ts === alert.ts))
      return { recorded: false };
    const opened = !this.#orders.has(order.id);
    this.#alerts.push(structuredClone(alert));
    this.#orders.set(order.id, structuredClone(order));
    return { recorded: true, alert: structuredClone(alert), order: structuredClone(order), opened };
  }

  async saveWorkOrder(order: WorkOrder): Promise<void> {
    this.#orders.set(order.id, structuredClone(order));
  }

  async updateWorkOrder(
    id: string,
    change: (current: WorkOrder) => WorkOrder | undefined,
  ): Promise<WorkOrderUpdate> {
    const current = this.#orders.get(id);
    if (current === undefined) return { ok: false, reason: 'not-found' };
    const next = change(structuredClone(current));
    if (next === undefined) return { ok: false, reason: 'unchanged' };
    if (isActive(next)) {
      const other = [...this.#orders.values()].find(
        (order) => order.asset === next.asset && order.id !== id && isActive(order),
      );
      if (other !== undefined)
        return { ok: false, reason: 'another-active', asset: next.asset, active: other.id };
    }
    this.#orders.set(id, structuredClone(next));
    return { ok: true, order: structuredClone(next) };
  }

  async getWorkOrder(id: string): Promise<WorkOrder | undefined> {
    const order = this.#orders.get(id);
    return order === undefined ? undefined : structuredClone(order);
  }

  async activeWorkOrder(asset: string): Promise<WorkOrder | undefined> {
    for (const order of this.#orders.values()) {
      if (order.asset === asset && isActive(order)) return structuredClone(order);
    }
    return undefined;
  }

  async listWorkOrders(filter: WorkOrderFilter): Promise<WorkOrder[]> {
    return [...this.#orders.values()]
      .filter((order) => filter.status === undefined || order.status === filter.status)
      .filter((order) => filter.asset === undefined || order.asset === filter.asset)
      .filter((order) => filter.assignee === undefined || order.assignee === filter.assignee)
      .sort((a, b) => b.lastAlertAt - a.lastAlertAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(filter.offset ?? 0, (filter.offset ?? 0) + filter.limit)
      .map((order) => structuredClone(order));
  }

  async listAlerts(filter: AlertFilter): Promise<Alert[]> {
    return this.#alerts
      .filter((alert) => filter.asset === undefined || alert.asset === filter.asset)
      .filter(
        (alert) => filter.status === undefined || this.#orders.get(alert.workOrder)?.status === filter.status,
      )
      .sort((a, b) => b.ts - a.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(filter.offset ?? 0, (filter.offset ?? 0) + filter.limit)
      .map((alert) => structuredClone(alert));
  }

  async saveDetectorStates(states: readonly DetectorState[]): Promise<void> {
    for (const state of states) this.#states.set(state.sensor, { ...state, state: state.state.slice() });
  }

  async markStatesSaved(atMillis: number): Promise<void> {
    this.#statesSavedAt = atMillis;
  }

  async statesSavedAt(): Promise<number | undefined> {
    return this.#statesSavedAt;
  }

  async loadDetectorStates(each: (states: DetectorState[]) => Promise<void>): Promise<void> {
    const states = [...this.#states.values()].map((state) => ({ ...state, state: state.state.slice() }));
    if (states.length > 0) await each(states);
  }

  async close(): Promise<void> {}
}
