import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Alert } from '../../core/maintenance/alert.ts';
import { applyAlert, storedWorkOrder } from '../../core/maintenance/work-order.ts';
import type { WorkOrder } from '../../core/maintenance/work-order.ts';
import type {
  AlertFilter,
  AlertRecord,
  MaintenanceRepository,
  WorkOrderFilter,
  WorkOrderUpdate,
} from '../../ports/maintenance.ts';

/**
 * Alerts and work orders in PostgreSQL, shared by every processing and API process. Two rules hold
 * across processes: an alert of a (sensor, ts) already recorded is dropped with its order change (a
 * re-processed reading after a crash), and an asset has one active order: if another process opened
 * one first, the alert is attached to that order instead. An alert is applied to the asset's order
 * as it is when the alert is written, and a verdict to the order as it is when the verdict is, so
 * neither undoes the other (a verdict of an API process, an alert of a processing process).
 */
export class PostgresMaintenanceRepository implements MaintenanceRepository {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async recordAlert(alert: Alert, order: WorkOrder): Promise<AlertRecord> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const inserted = await client.query(
        `INSERT INTO alerts (id, sensor, ts, asset, work_order, doc) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (sensor, ts) DO NOTHING`,
        [alert.id, alert.sensor, alert.ts, alert.asset, alert.workOrder, alert],
      );
      if (inserted.rowCount === 0) {
        await client.query('ROLLBACK');
        return { recorded: false };
      }
      // The caller read the asset's order before this transaction: another process may have changed it
      // since (a verdict, an alert), or closed it. The alert is applied again to the order as it is now.
      const { workOrder: _, ...draft } = alert;
      const active = await this.#lockActive(client, alert.asset);
      let merged = active === undefined ? undefined : applyAlert(active, draft, order.assetType, order.id);
      if (merged === undefined) {
        const known = await client.query('SELECT 1 FROM work_orders WHERE id = $1', [order.id]);
        // The order the caller updated was closed meanwhile: the alert opens a new one.
        merged = applyAlert(
          undefined,
          draft,
          order.assetType,
          known.rowCount === 0 ? order.id : randomUUID(),
        );
      }
      await client.query('SAVEPOINT order_change');
      try {
        await this.#upsert(client, merged.order);
      } catch (error) {
        if ((error as { code?: string }).code !== '23505') throw error;
        // Another process opened the asset's active order meanwhile: attach the alert to it.
        await client.query('ROLLBACK TO SAVEPOINT order_change');
        const current = await this.#lockActive(client, alert.asset);
        if (current === undefined) throw error;
        merged = applyAlert(current, draft, order.assetType, order.id);
        await this.#upsert(client, merged.order);
      }
      if (merged.alert.workOrder !== alert.workOrder) {
        await client.query(`UPDATE alerts SET work_order = $2, doc = $3 WHERE id = $1`, [
          alert.id,
          merged.order.id,
          merged.alert,
        ]);
      }
      await client.query('COMMIT');
      return { recorded: true, alert: merged.alert, order: merged.order, opened: merged.opened };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async saveWorkOrder(order: WorkOrder): Promise<void> {
    await this.#upsert(this.#pool, order);
  }

  /** The order is locked while `change` runs: a verdict in another process waits, and sees this one. */
  async updateWorkOrder(
    id: string,
    change: (current: WorkOrder) => WorkOrder | undefined,
  ): Promise<WorkOrderUpdate> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const found = await client.query<{ doc: WorkOrder }>(
        'SELECT doc FROM work_orders WHERE id = $1 FOR UPDATE',
        [id],
      );
      const current = found.rows[0];
      const next = current === undefined ? undefined : change(storedWorkOrder(current.doc));
      if (next === undefined) {
        await client.query('ROLLBACK');
        return { ok: false, reason: current === undefined ? 'not-found' : 'unchanged' };
      }
      try {
        await this.#upsert(client, next);
      } catch (error) {
        // The unique index of active orders: the asset has another one (a reopen came too late).
        if ((error as { code?: string }).code !== '23505') throw error;
        await client.query('ROLLBACK');
        const other = await this.activeWorkOrder(next.asset);
        return { ok: false, reason: 'another-active', asset: next.asset, active: other?.id ?? '' };
      }
      await client.query('COMMIT');
      return { ok: true, order: next };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async getWorkOrder(id: string): Promise<WorkOrder | undefined> {
    const result = await this.#pool.query<{ doc: WorkOrder }>('SELECT doc FROM work_orders WHERE id = $1', [
      id,
    ]);
    const row = result.rows[0];
    return row === undefined ? undefined : storedWorkOrder(row.doc);
  }

  async activeWorkOrder(asset: string): Promise<WorkOrder | undefined> {
    const result = await this.#pool.query<{ doc: WorkOrder }>(
      `SELECT doc FROM work_orders WHERE asset = $1 AND status IN ('open', 'acknowledged')`,
      [asset],
    );
    const row = result.rows[0];
    return row === undefined ? undefined : storedWorkOrder(row.doc);
  }

  async listWorkOrders(filter: WorkOrderFilter): Promise<WorkOrder[]> {
    const result = await this.#pool.query<{ doc: WorkOrder }>(
      `SELECT doc FROM work_orders WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR asset = $2)
         AND ($5::text IS NULL OR doc->>'assignee' = $5)
       ORDER BY last_alert_at DESC, id LIMIT $3 OFFSET $4`,
      [
        filter.status ?? null,
        filter.asset ?? null,
        filter.limit,
        filter.offset ?? 0,
        filter.assignee ?? null,
      ],
    );
    return result.rows.map((row) => storedWorkOrder(row.doc));
  }

  async listAlerts(filter: AlertFilter): Promise<Alert[]> {
    const result = await this.#pool.query<{ doc: Alert }>(
      `SELECT a.doc FROM alerts a LEFT JOIN work_orders w ON w.id = a.work_order
       WHERE ($1::text IS NULL OR w.status = $1) AND ($2::text IS NULL OR a.asset = $2)
       ORDER BY a.ts DESC, a.id LIMIT $3 OFFSET $4`,
      [filter.status ?? null, filter.asset ?? null, filter.limit, filter.offset ?? 0],
    );
    return result.rows.map((row) => row.doc);
  }

  /** The pool belongs to the caller. */
  async close(): Promise<void> {}

  /** The asset's active order, locked until the transaction ends. */
  async #lockActive(client: pg.PoolClient, asset: string): Promise<WorkOrder | undefined> {
    const active = await client.query<{ doc: WorkOrder }>(
      `SELECT doc FROM work_orders WHERE asset = $1 AND status IN ('open', 'acknowledged') FOR UPDATE`,
      [asset],
    );
    const found = active.rows[0];
    return found === undefined ? undefined : storedWorkOrder(found.doc);
  }

  async #upsert(client: Pick<pg.Pool, 'query'>, order: WorkOrder): Promise<void> {
    await client.query(
      `INSERT INTO work_orders (id, asset, status, last_alert_at, doc) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET asset = $2, status = $3, last_alert_at = $4, doc = $5`,
      [order.id, order.asset, order.status, order.lastAlertAt, order],
    );
  }
}
