import { listValue, type DuckDBAppender, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { SensorIdSet } from '../../core/readings/sensor-id-set.ts';
import type { Asset, Sensor, Tags } from '../../core/registry/asset.ts';
import { isUnknownSensor, unknownSensor } from '../../core/registry/asset.ts';
import { jsonPointer } from '../../core/registry/filter.ts';
import type {
  AssetFilter,
  BoundingBox,
  Existing,
  PutOptions,
  Registry,
  SensorFilter,
  TagFilter,
} from '../../ports/registry.ts';
import type { Database } from './database.ts';
import { Serial } from '../../core/serial.ts';
import { updateAssetOnQueue, updateSensorOnQueue } from '../registry-update.ts';
import { inTransaction } from './transaction.ts';

// No primary keys: the ids are known in memory (sensors) or few (assets), and an index over
// millions of auto-registered sensor ids would cost hundreds of megabytes and slow every insert.
const columns = {
  registry_assets:
    'id VARCHAR NOT NULL, type VARCHAR NOT NULL, name VARCHAR NOT NULL, lat DOUBLE, lon DOUBLE, tags VARCHAR NOT NULL',
  registry_sensors:
    'id VARCHAR NOT NULL, kind VARCHAR NOT NULL, unit VARCHAR NOT NULL, asset VARCHAR, lat DOUBLE, lon DOUBLE, tags VARCHAR NOT NULL',
};

/** The temporary table ids of sensors registered by id alone wait in (see `#appendUnknown`). */
function newSensorIds(create: string): string {
  return `${create} registry_new_sensor_ids (id VARCHAR NOT NULL)`;
}

const schema = [
  `CREATE TABLE IF NOT EXISTS registry_assets (${columns.registry_assets})`,
  `CREATE TABLE IF NOT EXISTS registry_sensors (${columns.registry_sensors})`,
  `CREATE TEMP TABLE IF NOT EXISTS registry_assets_staging (${columns.registry_assets})`,
  `CREATE TEMP TABLE IF NOT EXISTS registry_sensors_staging (${columns.registry_sensors})`,
  newSensorIds('CREATE TEMP TABLE IF NOT EXISTS'),
];

type Row = Record<string, DuckDBValue>;

/** Ids looked up by one query of `getSensors`. */
const lookupChunk = 10_000;

function text(value: DuckDBValue | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}

function coordinate(value: DuckDBValue | undefined): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function assetOf(row: Row): Asset {
  const tags = JSON.parse(text(row.tags) || '{}') as Tags;
  return {
    id: text(row.id),
    type: text(row.type),
    name: text(row.name),
    lat: coordinate(row.lat),
    lon: coordinate(row.lon),
    tags,
  };
}

function sensorOf(row: Row): Sensor {
  const tags = JSON.parse(text(row.tags) || '{}') as Tags;
  const asset = row.asset === null || row.asset === undefined ? null : text(row.asset);
  return {
    id: text(row.id),
    kind: text(row.kind),
    unit: text(row.unit),
    asset,
    lat: coordinate(row.lat),
    lon: coordinate(row.lon),
    tags,
  };
}

function appendOptional(appender: DuckDBAppender, value: number | string | null): void {
  if (value === null) appender.appendNull();
  else if (typeof value === 'number') appender.appendDouble(value);
  else appender.appendVarchar(value);
}

export interface DuckDbRegistryOptions {
  /** How long auto-registered sensors may wait before they are written in one batch. */
  registerDelayMillis?: number;
  /** Errors of the background writes of auto-registered sensors. */
  onError?: (error: unknown) => void;
}

type SensorRow = (number | string | null)[];

function sensorRow(s: Sensor): SensorRow {
  return [s.id, s.kind, s.unit, s.asset, s.lat, s.lon, JSON.stringify(s.tags)];
}

/**
 * The registry in tables of the embedded DuckDB file. Sensor ids are also kept in a set in
 * memory, so `hasSensor` (asked for every reading) costs no query. Statements on the one
 * connection run one after another.
 *
 * Auto-registered sensors are written in the background, batched over `registerDelayMillis`,
 * so registering a million new sensors costs the ingest path nothing. If the process dies
 * before a batch is written, those sensors are registered again by their next reading.
 */
export class DuckDbRegistry implements Registry {
  readonly #connection: DuckDBConnection;
  readonly #sensorIds: SensorIdSet;
  #removals = 0;
  readonly #delayMillis: number;
  readonly #onError: (error: unknown) => void;
  readonly #serial = new Serial();
  readonly #updates = new Serial();
  #pending: SensorRow[] = [];
  /** Auto-registered sensors with nothing but their id, waiting (see `#appendUnknown`). */
  #pendingIds: string[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  private constructor(connection: DuckDBConnection, sensorIds: SensorIdSet, options: DuckDbRegistryOptions) {
    this.#connection = connection;
    this.#sensorIds = sensorIds;
    this.#delayMillis = options.registerDelayMillis ?? 250;
    this.#onError = options.onError ?? (() => undefined);
  }

  static async open(database: Database, options: DuckDbRegistryOptions = {}): Promise<DuckDbRegistry> {
    const connection = await database.connect();
    for (const statement of schema) await connection.run(statement);
    const ids = await connection.runAndReadAll('SELECT id FROM registry_sensors');
    return new DuckDbRegistry(connection, new SensorIdSet(ids.getRows().map(([id]) => String(id))), options);
  }

  /**
   * Writes every auto-registered sensor still waiting and waits for writes already under way: after
   * it, another connection to the file (a backup's copy) sees them.
   */
  async flush(): Promise<void> {
    await this.#flushPending();
    await this.#serial.idle();
  }

  /** Writes the auto-registered sensors still waiting; reads and replacements call it first. */
  #flushPending(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.length === 0 && this.#pendingIds.length === 0) return Promise.resolve();
    const rows = this.#pending;
    const ids = this.#pendingIds;
    this.#pending = [];
    this.#pendingIds = [];
    return this.#serial.run(async () => {
      if (rows.length > 0) await this.#append('registry_sensors', rows);
      if (ids.length > 0) await this.#appendUnknown(ids);
    });
  }

  /**
   * Registers sensors known by their id alone: the ids go into a temporary table of one column on
   * this thread, and the rows are made from it by a statement that runs on DuckDB's threads. A
   * million sensors cost the ingest thread a quarter of what appending their seven columns did.
   */
  async #appendUnknown(ids: readonly string[]): Promise<void> {
    const appender = await this.#connection.createAppender('registry_new_sensor_ids', null, 'temp');
    for (const id of ids) {
      appender.appendVarchar(id);
      appender.endRow();
    }
    appender.closeSync();
    try {
      // The other columns are those of `unknownSensor`, one row's worth of parameters.
      const [, ...others] = sensorRow(unknownSensor(''));
      await this.#connection.run(
        'INSERT INTO registry_sensors SELECT id, $1, $2, $3, $4, $5, $6 FROM temp.registry_new_sensor_ids',
        others,
      );
    } finally {
      // Made anew, not emptied: DuckDB keeps the storage of rows deleted from a temp table.
      await this.#connection.run(newSensorIds('CREATE OR REPLACE TEMP TABLE'));
    }
  }

  async #rows(sql: string, values: DuckDBValue[] = []): Promise<Row[]> {
    const reader = await this.#connection.runAndReadAll(sql, values);
    return reader.getRowObjects();
  }

  async #append(table: string, rows: readonly (number | string | null)[][]): Promise<void> {
    const appender = await this.#connection.createAppender(
      table,
      null,
      table.endsWith('_staging') ? 'temp' : null,
    );
    for (const row of rows) {
      for (const value of row) appendOptional(appender, value);
      appender.endRow();
    }
    appender.closeSync();
  }

  /**
   * Stores rows by id in one transaction: stage, then (replacing) delete the old rows of those ids,
   * and insert the last staged row of each id not (kept) registered already.
   */
  async #put(
    table: 'registry_assets' | 'registry_sensors',
    rows: (number | string | null)[][],
    existing: Existing,
  ): Promise<void> {
    await this.#append(`${table}_staging`, rows);
    try {
      await inTransaction(this.#connection, async () => {
        if (existing === 'replace')
          await this.#connection.run(
            `DELETE FROM ${table} WHERE id IN (SELECT id FROM temp.${table}_staging)`,
          );
        const unregistered = existing === 'keep' ? ` AND id NOT IN (SELECT id FROM ${table})` : '';
        await this.#connection.run(
          `INSERT INTO ${table} SELECT * EXCLUDE (n) FROM (SELECT *, ` +
            `row_number() OVER (PARTITION BY id ORDER BY rowid DESC) AS n FROM temp.${table}_staging) ` +
            `WHERE n = 1${unregistered}`,
        );
      });
    } finally {
      // Made anew, not emptied: DuckDB keeps the storage of rows deleted from a temp table.
      await this.#connection.run(`CREATE OR REPLACE TEMP TABLE ${table}_staging (${columns[table]})`);
    }
  }

  putAssets(assets: readonly Asset[], options: PutOptions = {}): Promise<void> {
    const rows = assets.map((a) => [a.id, a.type, a.name, a.lat, a.lon, JSON.stringify(a.tags)]);
    return this.#serial.run(() => this.#put('registry_assets', rows, options.existing ?? 'replace'));
  }

  async getAsset(id: string): Promise<Asset | undefined> {
    const rows = await this.#serial.run(() =>
      this.#rows('SELECT * FROM registry_assets WHERE id = $1', [id]),
    );
    return rows[0] === undefined ? undefined : assetOf(rows[0]);
  }

  async listAssets(filter: AssetFilter): Promise<Asset[]> {
    const values: DuckDBValue[] = [filter.limit, filter.offset];
    const conditions: string[] = [];
    if (filter.type !== undefined) {
      values.push(filter.type);
      conditions.push(`type = $${values.length}`);
    }
    conditions.push(...placeAndTags(filter, values, { lat: 'lat', lon: 'lon', tags: 'tags' }));
    const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
    const sql = `SELECT * FROM registry_assets ${where} ORDER BY id LIMIT $1 OFFSET $2`;
    return (await this.#serial.run(() => this.#rows(sql, values))).map(assetOf);
  }

  /** Deletes the asset and clears its sensors' `asset` in one transaction, so no sensor names a deleted asset. */
  deleteAsset(id: string): Promise<boolean> {
    return this.#serial.run(async () => {
      let deleted = false;
      await inTransaction(this.#connection, async () => {
        const found = await this.#rows('DELETE FROM registry_assets WHERE id = $1 RETURNING id', [id]);
        deleted = found.length > 0;
        if (deleted)
          await this.#connection.run('UPDATE registry_sensors SET asset = NULL WHERE asset = $1', [id]);
      });
      return deleted;
    });
  }

  async putSensors(sensors: readonly Sensor[], options: PutOptions = {}): Promise<void> {
    const rows = sensors.map(sensorRow);
    await this.#flushPending();
    return this.#serial.run(async () => {
      await this.#put('registry_sensors', rows, options.existing ?? 'replace');
      for (const sensor of sensors) this.#sensorIds.add(sensor.id);
    });
  }

  async addMissingSensors(sensors: readonly Sensor[]): Promise<void> {
    for (const sensor of sensors) {
      if (!this.#sensorIds.add(sensor.id)) continue;
      if (isUnknownSensor(sensor)) this.#pendingIds.push(sensor.id);
      else this.#pending.push(sensorRow(sensor));
    }
    if ((this.#pending.length === 0 && this.#pendingIds.length === 0) || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => void this.#flushPending().catch(this.#onError), this.#delayMillis);
    this.#timer.unref();
  }

  /**
   * Updates run one at a time on a queue of their own (not the connection's, which `change` may use
   * to read), so no other update of the record comes between its read and its write.
   */
  updateSensor(id: string, change: (current: Sensor) => Promise<Sensor>): Promise<Sensor | undefined> {
    return updateSensorOnQueue(this.#updates, this, id, change);
  }

  updateAsset(id: string, change: (current: Asset) => Promise<Asset>): Promise<Asset | undefined> {
    return updateAssetOnQueue(this.#updates, this, id, change);
  }

  async getSensor(id: string): Promise<Sensor | undefined> {
    await this.#flushPending();
    const rows = await this.#serial.run(() =>
      this.#rows('SELECT * FROM registry_sensors WHERE id = $1', [id]),
    );
    return rows[0] === undefined ? undefined : sensorOf(rows[0]);
  }

  /**
   * A query per `lookupChunk` ids, so other reads come between those of a long list. The table has
   * no index: a query per id scans it each time (3,000 ids of a registry of 100,000 sensors took
   * 11 s by `getSensor`, 40 ms by one query).
   */
  async getSensors(ids: readonly string[]): Promise<Sensor[]> {
    const unique = [...new Set(ids)];
    const sensors: Sensor[] = [];
    await this.#flushPending();
    for (let start = 0; start < unique.length; start += lookupChunk) {
      const chunk = listValue(unique.slice(start, start + lookupChunk));
      const sql = 'SELECT * FROM registry_sensors WHERE id IN (SELECT unnest($1::VARCHAR[]))';
      sensors.push(...(await this.#serial.run(() => this.#rows(sql, [chunk]))).map(sensorOf));
    }
    return sensors;
  }

  async listSensors(filter: SensorFilter): Promise<Sensor[]> {
    const conditions: string[] = [];
    const values: DuckDBValue[] = [filter.limit, filter.offset];
    if (filter.asset !== undefined) {
      values.push(filter.asset);
      conditions.push(`s.asset = $${values.length}`);
    }
    if (filter.kind !== undefined) {
      values.push(filter.kind);
      conditions.push(`s.kind = $${values.length}`);
    }
    // A sensor without a position of its own is placed at its asset's.
    const placed = { lat: 'coalesce(s.lat, a.lat)', lon: 'coalesce(s.lon, a.lon)', tags: 's.tags' };
    conditions.push(...placeAndTags(filter, values, placed));
    const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
    const from =
      filter.bbox === undefined
        ? 'registry_sensors s'
        : 'registry_sensors s LEFT JOIN registry_assets a ON s.asset = a.id';
    const sql = `SELECT s.* FROM ${from} ${where} ORDER BY s.id LIMIT $1 OFFSET $2`;
    await this.#flushPending();
    return (await this.#serial.run(() => this.#rows(sql, values))).map(sensorOf);
  }

  async deleteSensor(id: string): Promise<boolean> {
    await this.#flushPending();
    return this.#serial.run(async () => {
      const found = await this.#rows('DELETE FROM registry_sensors WHERE id = $1 RETURNING id', [id]);
      if (this.#sensorIds.delete(id)) this.#removals += 1;
      return found.length > 0;
    });
  }

  async sensorsWithin(box: BoundingBox): Promise<string[]> {
    await this.#flushPending();
    const sql =
      'SELECT s.id FROM registry_sensors s LEFT JOIN registry_assets a ON s.asset = a.id ' +
      'WHERE coalesce(s.lat, a.lat) BETWEEN $1 AND $2 AND coalesce(s.lon, a.lon) BETWEEN $3 AND $4';
    const rows = await this.#serial.run(() =>
      this.#rows(sql, [box.minLat, box.maxLat, box.minLon, box.maxLon]),
    );
    return rows.map((row) => text(row.id));
  }

  hasSensor(id: string): boolean {
    return this.#sensorIds.has(id);
  }

  sensorRemovals(): number {
    return this.#removals;
  }

  async close(): Promise<void> {
    await this.#flushPending();
    await this.#serial.idle();
  }
}

/**
 * SQL conditions for a list's `bbox` and `tags` filters over the given columns, their values
 * appended to `values` (tags are JSON text: each key read by its JSON pointer).
 */
function placeAndTags(
  filter: { bbox?: BoundingBox; tags?: TagFilter },
  values: DuckDBValue[],
  columns: { lat: string; lon: string; tags: string },
): string[] {
  const conditions: string[] = [];
  const bind = (value: DuckDBValue): string => {
    values.push(value);
    return `$${values.length}`;
  };
  const box = filter.bbox;
  if (box !== undefined)
    conditions.push(
      `${columns.lat} BETWEEN ${bind(box.minLat)} AND ${bind(box.maxLat)}`,
      `${columns.lon} BETWEEN ${bind(box.minLon)} AND ${bind(box.maxLon)}`,
    );
  for (const { key, value } of filter.tags ?? []) {
    const pointer = bind(jsonPointer(key));
    conditions.push(
      value === null
        ? `json_exists(${columns.tags}, ${pointer})`
        : `json_extract_string(${columns.tags}, ${pointer}) = ${bind(value)}`,
    );
  }
  return conditions;
}
