import { DuckDBBlobValue } from '@duckdb/node-api';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { Alert } from '../../core/maintenance/alert.ts';
import { isActive, storedWorkOrder } from '../../core/maintenance/work-order.ts';
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
import type { Database } from './database.ts';
import { Serial } from '../../core/serial.ts';
import { releaseFreedMemory } from './allocator.ts';
import { inTransaction, moveTable } from './transaction.ts';

const stateColumns =
  '(sensor VARCHAR NOT NULL, state BLOB NOT NULL, last_ts DOUBLE NOT NULL, last_alert_at DOUBLE)';

const stagingStates = (create: string): string => `${create} detector_states_staging ${stateColumns}`;

/** States handed over at a time by `loadDetectorStates`. */
const loadChunkStates = 10_000;

const schema = [
  `CREATE TABLE IF NOT EXISTS maintenance_work_orders (
     id VARCHAR PRIMARY KEY, asset VARCHAR NOT NULL, status VARCHAR NOT NULL,
     last_alert_at DOUBLE NOT NULL, body VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS maintenance_alerts (
     id VARCHAR PRIMARY KEY, sensor VARCHAR NOT NULL, asset VARCHAR NOT NULL, work_order VARCHAR NOT NULL,
     ts DOUBLE NOT NULL, body VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS maintenance_verdicts (
     work_order VARCHAR NOT NULL, seq INTEGER NOT NULL, action VARCHAR NOT NULL, from_status VARCHAR NOT NULL,
     to_status VARCHAR NOT NULL, decided_by VARCHAR NOT NULL, decided_at DOUBLE NOT NULL, note VARCHAR,
     PRIMARY KEY (work_order, seq))`,
  // Assignments, added to files made before they existed (their orders are unassigned: NULL).
  `ALTER TABLE maintenance_work_orders ADD COLUMN IF NOT EXISTS assignee VARCHAR`,
  `ALTER TABLE maintenance_verdicts ADD COLUMN IF NOT EXISTS assignee VARCHAR`,
  // No primary key: replacing a million states through one runs DuckDB out of a memory limit of
  // 512 MB, where deleting and inserting them (one row per sensor, kept so below) fits in 128 MB.
  `CREATE TABLE IF NOT EXISTS detector_states ${stateColumns}`,
  // One row: the time given to the last `markStatesSaved`.
  `CREATE TABLE IF NOT EXISTS detector_states_saved (id INTEGER PRIMARY KEY, saved_at DOUBLE NOT NULL)`,
  stagingStates('CREATE TEMP TABLE IF NOT EXISTS'),
];

/** Files made before: their states table had the sensor as primary key; moved to one without. */
async function dropStatesKey(connection: DuckDBConnection): Promise<void> {
  const keyed = await connection.runAndReadAll(
    `SELECT 1 FROM duckdb_constraints()
     WHERE table_name = 'detector_states' AND constraint_type = 'PRIMARY KEY' AND database_name = current_database()`,
  );
  if (keyed.currentRowCount === 0) return;
  await moveTable(connection, 'detector_states', stateColumns);
}

/**
 * Alerts, work orders, verdicts and detector states in the platform's DuckDB file. Records are kept
 * as JSON bodies beside the columns they are filtered by; verdicts also get a row each, the audit
 * trail a SQL user can query. Writes are serialised on one connection.
 */
export class DuckDbMaintenanceRepository implements MaintenanceRepository, DetectorStateStore {
  readonly #serial = new Serial();

  private constructor(private readonly connection: DuckDBConnection) {}

  static async open(database: Database): Promise<DuckDbMaintenanceRepository> {
    const connection = await database.connect();
    for (const sql of schema) await connection.run(sql);
    await dropStatesKey(connection);
    return new DuckDbMaintenanceRepository(connection);
  }

  recordAlert(alert: Alert, order: WorkOrder): Promise<AlertRecord> {
    return this.#serial.run(async () => {
      let outcome: AlertRecord = { recorded: false };
      await inTransaction(this.connection, async () => {
        // A reading scored again after a crash raises its alert again: the first one recorded stands.
        const recorded = await this.connection.runAndReadAll(
          'SELECT 1 FROM maintenance_alerts WHERE sensor = $1 AND ts = $2 LIMIT 1',
          [alert.sensor, alert.ts],
        );
        if (recorded.currentRowCount > 0) return;
        const known = await this.connection.runAndReadAll(
          'SELECT 1 FROM maintenance_work_orders WHERE id = $1',
          [order.id],
        );
        await this.#writeAlert(alert);
        await this.#writeOrder(order);
        outcome = { recorded: true, alert, order, opened: known.currentRowCount === 0 };
      });
      return outcome;
    });
  }

  async #writeAlert(alert: Alert): Promise<void> {
    await this.connection.run('INSERT OR REPLACE INTO maintenance_alerts VALUES ($1, $2, $3, $4, $5, $6)', [
      alert.id,
      alert.sensor,
      alert.asset,
      alert.workOrder,
      alert.ts,
      JSON.stringify(alert),
    ]);
  }

  saveWorkOrder(order: WorkOrder): Promise<void> {
    return this.#transaction(() => this.#writeOrder(order));
  }

  updateWorkOrder(
    id: string,
    change: (current: WorkOrder) => WorkOrder | undefined,
  ): Promise<WorkOrderUpdate> {
    return this.#serial.run(async () => {
      let outcome: WorkOrderUpdate = { ok: false, reason: 'not-found' };
      await inTransaction(this.connection, async () => {
        const [current] = await this.#read('SELECT body FROM maintenance_work_orders WHERE id = $1', [id]);
        if (current === undefined) return;
        const next = change(current);
        if (next === undefined) {
          outcome = { ok: false, reason: 'unchanged' };
          return;
        }
        if (isActive(next)) {
          const other = await this.connection.runAndReadAll(
            `SELECT id FROM maintenance_work_orders
             WHERE asset = $1 AND id <> $2 AND status IN ('open', 'acknowledged') LIMIT 1`,
            [next.asset, id],
          );
          const [row] = other.getRows();
          if (row !== undefined) {
            outcome = { ok: false, reason: 'another-active', asset: next.asset, active: String(row[0]) };
            return;
          }
        }
        await this.#writeOrder(next);
        outcome = { ok: true, order: next };
      });
      return outcome;
    });
  }

  async getWorkOrder(id: string): Promise<WorkOrder | undefined> {
    const [order] = await this.#orders('SELECT body FROM maintenance_work_orders WHERE id = $1', [id]);
    return order;
  }

  async activeWorkOrder(asset: string): Promise<WorkOrder | undefined> {
    const [order] = await this.#orders(
      `SELECT body FROM maintenance_work_orders WHERE asset = $1 AND status IN ('open', 'acknowledged')
       ORDER BY last_alert_at DESC LIMIT 1`,
      [asset],
    );
    return order;
  }

  listWorkOrders(filter: WorkOrderFilter): Promise<WorkOrder[]> {
    return this.#orders(
      `SELECT body FROM maintenance_work_orders
       WHERE ($1 IS NULL OR status = $1) AND ($2 IS NULL OR asset = $2)
         AND ($5 IS NULL OR assignee = $5)
       ORDER BY last_alert_at DESC, id LIMIT $3 OFFSET $4`,
      [
        filter.status ?? null,
        filter.asset ?? null,
        filter.limit,
        filter.offset ?? 0,
        filter.assignee ?? null,
      ],
    );
  }

  async listAlerts(filter: AlertFilter): Promise<Alert[]> {
    const result = await this.#serial.run(() =>
      this.connection.runAndReadAll(
        `SELECT a.body FROM maintenance_alerts a LEFT JOIN maintenance_work_orders o ON o.id = a.work_order
         WHERE ($1 IS NULL OR o.status = $1) AND ($2 IS NULL OR a.asset = $2)
         ORDER BY a.ts DESC, a.id LIMIT $3 OFFSET $4`,
        [filter.status ?? null, filter.asset ?? null, filter.limit, filter.offset ?? 0],
      ),
    );
    return result.getRows().map(([body]) => JSON.parse(String(body)) as Alert);
  }

  /**
   * Stages the states with an appender, then replaces them in one transaction, then has DuckDB
   * release what it freed: a million states saved 10,000 at a time otherwise left 300–400 MB of
   * DuckDB's freed pages resident (docs/api.md).
   */
  saveDetectorStates(states: readonly DetectorState[]): Promise<void> {
    return this.#serial.run(async () => {
      const appender = await this.connection.createAppender('detector_states_staging', null, 'temp');
      for (const saved of states) {
        appender.appendVarchar(saved.sensor);
        appender.appendBlob(saved.state);
        appender.appendDouble(saved.lastTs);
        if (saved.lastAlertAt === null) appender.appendNull();
        else appender.appendDouble(saved.lastAlertAt);
        appender.endRow();
      }
      appender.closeSync();
      try {
        await inTransaction(this.connection, async () => {
          await this.connection.run(
            'DELETE FROM detector_states WHERE sensor IN (SELECT sensor FROM temp.detector_states_staging)',
          );
          await this.connection.run('INSERT INTO detector_states SELECT * FROM temp.detector_states_staging');
        });
      } finally {
        // Made anew, not emptied: DuckDB keeps the storage of rows deleted from a temp table.
        await this.connection.run(stagingStates('CREATE OR REPLACE TEMP TABLE'));
      }
      await releaseFreedMemory(this.connection);
    });
  }

  markStatesSaved(atMillis: number): Promise<void> {
    return this.#serial.run(async () => {
      await this.connection.run('INSERT OR REPLACE INTO detector_states_saved VALUES (1, $1)', [atMillis]);
    });
  }

  /** Deletes every saved state (they moved to a store of their own; a checkpoint frees the space). */
  dropDetectorStates(): Promise<void> {
    return this.#serial.run(() =>
      inTransaction(this.connection, async () => {
        await this.connection.run('DELETE FROM detector_states');
        await this.connection.run('DELETE FROM detector_states_saved');
      }),
    );
  }

  async statesSavedAt(): Promise<number | undefined> {
    const result = await this.#serial.run(() =>
      this.connection.runAndReadAll('SELECT saved_at FROM detector_states_saved WHERE id = 1'),
    );
    const [row] = result.getRows();
    return row === undefined ? undefined : Number(row[0]);
  }

  /**
   * Streams the states from DuckDB: its result is never whole in memory, here or in DuckDB. Then has
   * DuckDB release what the read freed (a million states' read left some 120 MB of it resident).
   */
  loadDetectorStates(each: (states: DetectorState[]) => Promise<void>): Promise<void> {
    return this.#serial.run(async () => {
      const result = await this.connection.stream(
        'SELECT sensor, state, last_ts, last_alert_at FROM detector_states',
      );
      let states: DetectorState[] = [];
      for (;;) {
        const chunk = await result.fetchChunk();
        if (chunk === null || chunk.rowCount === 0) break;
        for (const [sensor, state, lastTs, lastAlertAt] of chunk.getRows())
          states.push({
            sensor: String(sensor),
            state: state instanceof DuckDBBlobValue ? state.bytes.slice() : new Uint8Array(),
            lastTs: Number(lastTs),
            lastAlertAt: lastAlertAt === null ? null : Number(lastAlertAt),
          });
        if (states.length >= loadChunkStates) {
          await each(states);
          states = [];
        }
      }
      if (states.length > 0) await each(states);
      await releaseFreedMemory(this.connection);
    });
  }

  async close(): Promise<void> {
    await this.#serial.idle();
  }

  #orders(sql: string, values: DuckDBValue[]): Promise<WorkOrder[]> {
    return this.#serial.run(() => this.#read(sql, values));
  }

  /** Orders from `body` columns; those kept before assignments existed read as unassigned. */
  async #read(sql: string, values: DuckDBValue[]): Promise<WorkOrder[]> {
    const result = await this.connection.runAndReadAll(sql, values);
    return result.getRows().map(([body]) => storedWorkOrder(JSON.parse(String(body)) as WorkOrder));
  }

  async #writeOrder(order: WorkOrder): Promise<void> {
    await this.connection.run(
      `INSERT OR REPLACE INTO maintenance_work_orders (id, asset, status, last_alert_at, body, assignee)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [order.id, order.asset, order.status, order.lastAlertAt, JSON.stringify(order), order.assignee],
    );
    for (const [seq, verdict] of order.verdicts.entries()) {
      await this.connection.run(
        `INSERT OR IGNORE INTO maintenance_verdicts
         (work_order, seq, action, from_status, to_status, decided_by, decided_at, note, assignee)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          order.id,
          seq,
          verdict.action,
          verdict.from,
          verdict.to,
          verdict.by,
          verdict.at,
          verdict.note,
          verdict.assignee ?? null,
        ],
      );
    }
  }

  #transaction(work: () => Promise<void>): Promise<void> {
    return this.#serial.run(() => inTransaction(this.connection, work));
  }
}
