import type pg from 'pg';
import type { Alert } from '../../core/maintenance/alert.ts';
import { applyAlert } from '../../core/maintenance/work-order.ts';
import type { WorkOrder } from '../../core/maintenance/work-order.ts';
import type { AlertFilter, MaintenanceRepository, WorkOrderFilter } from '../../ports/maintenance.ts';

/**
 * Alerts and work orders in PostgreSQL, shared by every processing and API process. Two rules hold
 * across processes: an alert of a (sensor, ts) already recorded is dropped with its order change (a
 * re-processed reading after a crash), and an asset has one active order: if another process opened
 * one first, the alert is attached to that order instead.
 */
export class PostgresMaintenanceRepository implements MaintenanceRepository {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async recordAlert(alert: Alert, order: WorkOrder): Promise<void> {
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
        return;
      }
      await client.query('SAVEPOINT order_change');
      try {
        await this.#upsert(client, order);
      } catch (error) {
        if ((error as { code?: string }).code !== '23505') throw error;
        // Another process opened the asset's active order meanwhile: attach the alert to it.
        await client.query('ROLLBACK TO SAVEPOINT order_change');
        const active = await client.query<{ doc: WorkOrder }>(
          `SELECT doc FROM work_orders WHERE asset = $1 AND status IN ('open', 'acknowledged') FOR UPDATE`,
          [alert.asset],
        );
        const current = active.rows[0]?.doc;
        if (current === undefined) throw error;
        const { workOrder: _, ...draft } = alert;
        const merged = applyAlert(current, draft, order.assetType, order.id);
        await client.query(`UPDATE alerts SET work_order = $2, doc = $3 WHERE id = $1`, [
          alert.id,
          merged.order.id,
          merged.alert,
        ]);
        await this.#upsert(client, merged.order);
      }
      await client.query('COMMIT');
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

  async getWorkOrder(id: string): Promise<WorkOrder | undefined> {
    const result = await this.#pool.query<{ doc: WorkOrder }>('SELECT doc FROM work_orders WHERE id = $1', [
      id,
    ]);
    return result.rows[0]?.doc;
  }

  async activeWorkOrder(asset: string): Promise<WorkOrder | undefined> {
    const result = await this.#pool.query<{ doc: WorkOrder }>(
      `SELECT doc FROM work_orders WHERE asset = $1 AND status IN ('open', 'acknowledged')`,
      [asset],
    );
    return result.rows[0]?.doc;
  }

  async listWorkOrders(filter: WorkOrderFilter): Promise<WorkOrder[]> {
    const result = await this.#pool.query<{ doc: WorkOrder }>(
      `SELECT doc FROM work_orders WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR asset = $2)
       ORDER BY last_alert_at DESC, id LIMIT $3 OFFSET $4`,
      [filter.status ?? null, filter.asset ?? null, filter.limit, filter.offset ?? 0],
    );
    return result.rows.map((row) => row.doc);
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

  async #upsert(client: Pick<pg.Pool, 'query'>, order: WorkOrder): Promise<void> {
    await client.query(
      `INSERT INTO work_orders (id, asset, status, last_alert_at, doc) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET asset = $2, status = $3, last_alert_at = $4, doc = $5`,
      [order.id, order.asset, order.status, order.lastAlertAt, order],
    );
  }
}
