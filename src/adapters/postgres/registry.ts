import type pg from 'pg';
import type { Asset, Sensor } from '../../core/registry/asset.ts';
import type {
  AssetFilter,
  BoundingBox,
  PutOptions,
  Registry,
  SensorFilter,
  TagFilter,
} from '../../ports/registry.ts';

interface SensorRow {
  id: string;
  kind: string;
  unit: string;
  asset: string | null;
  lat: number | null;
  lon: number | null;
  tags: Record<string, string>;
}

interface AssetRow {
  id: string;
  type: string;
  name: string;
  lat: number | null;
  lon: number | null;
  tags: Record<string, string>;
}

const sensorOf = (row: SensorRow): Sensor => ({ ...row });
const assetOf = (row: AssetRow): Asset => ({ ...row });

export interface PostgresRegistryOptions {
  /** Sensors kept in this process's cache; past it the cache starts again (50 million do not fit a heap). */
  maxCachedSensors: number;
  /**
   * How long a sensor's cached details (asset, tags …) are used before they are read again, so that
   * a change made through another process reaches this one (default 10 s).
   */
  detailsMaxAgeMillis?: number;
}

/** The last record of each id, in the order the ids first appear (a put stores the last one). */
function lastOfEachId<T extends { id: string }>(records: readonly T[]): T[] {
  return [...new Map(records.map((record) => [record.id, record])).values()];
}

/**
 * The registry in PostgreSQL. Each process caches only the sensors it meets (a processor: those of
 * its shards; an ingest process: those it ingests), bounded by `maxCachedSensors`. `hasSensor`
 * answers from that cache: under the auto-register policy a miss only costs an idempotent insert;
 * under the reject policy call `warm` first with the ids of a batch.
 */
export class PostgresRegistry implements Registry {
  readonly #pool: pg.Pool;
  readonly #options: PostgresRegistryOptions;
  /** Sensors known to exist: with their details until these are to be read again, or `null` (not loaded). */
  readonly #sensors = new Map<string, { sensor: Sensor; until: number } | null>();
  readonly #detailsMaxAgeMillis: number;

  constructor(pool: pg.Pool, options: PostgresRegistryOptions = { maxCachedSensors: 1_000_000 }) {
    if (!(options.maxCachedSensors > 0)) throw new RangeError('maxCachedSensors must be positive');
    this.#pool = pool;
    this.#options = options;
    this.#detailsMaxAgeMillis = options.detailsMaxAgeMillis ?? 10_000;
  }

  /** Loads the given sensors into the cache so `hasSensor` knows them. */
  async warm(ids: readonly string[]): Promise<void> {
    const unknown = ids.filter((id) => !this.#sensors.has(id));
    if (unknown.length === 0) return;
    const result = await this.#pool.query<SensorRow>('SELECT * FROM sensors WHERE id = ANY($1)', [unknown]);
    // Only that they exist: their details are read when asked for.
    for (const row of result.rows) this.#remember(row.id, null);
  }

  /** Forgets cached sensors (a processor that gave up shards). */
  forget(ids?: readonly string[]): void {
    if (ids === undefined) this.#sensors.clear();
    else for (const id of ids) this.#sensors.delete(id);
  }

  get cachedSensors(): number {
    return this.#sensors.size;
  }

  async putAssets(assets: readonly Asset[], options: PutOptions = {}): Promise<void> {
    const keep = options.existing === 'keep';
    const onConflict = keep
      ? 'DO NOTHING'
      : 'DO UPDATE SET type = $2, name = $3, lat = $4, lon = $5, tags = $6';
    await this.#transaction(async (client) => {
      // Kept, the first of an id given twice would win: the last one is the put's.
      for (const a of keep ? lastOfEachId(assets) : assets)
        await client.query(
          `INSERT INTO assets (id, type, name, lat, lon, tags) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (id) ${onConflict}`,
          [a.id, a.type, a.name, a.lat, a.lon, a.tags],
        );
    });
  }

  async getAsset(id: string): Promise<Asset | undefined> {
    const result = await this.#pool.query<AssetRow>('SELECT * FROM assets WHERE id = $1', [id]);
    return result.rows[0] === undefined ? undefined : assetOf(result.rows[0]);
  }

  async listAssets(filter: AssetFilter): Promise<Asset[]> {
    const values: unknown[] = [filter.type ?? null, filter.limit, filter.offset];
    const more = placeAndTags(filter, values, { lat: 'lat', lon: 'lon', tags: 'tags' });
    const result = await this.#pool.query<AssetRow>(
      `SELECT * FROM assets WHERE ($1::text IS NULL OR type = $1)${more} ORDER BY id LIMIT $2 OFFSET $3`,
      values,
    );
    return result.rows.map(assetOf);
  }

  async deleteAsset(id: string): Promise<boolean> {
    return this.#transaction(async (client) => {
      const deleted = await client.query('DELETE FROM assets WHERE id = $1', [id]);
      if ((deleted.rowCount ?? 0) === 0) return false;
      await client.query('UPDATE sensors SET asset = NULL WHERE asset = $1', [id]);
      for (const [key, cached] of this.#sensors) if (cached?.sensor.asset === id) this.#sensors.delete(key);
      return true;
    });
  }

  async putSensors(sensors: readonly Sensor[], options: PutOptions = {}): Promise<void> {
    // Kept: what auto-registration does, in one statement (so all or nothing).
    if (options.existing === 'keep') return this.addMissingSensors(lastOfEachId(sensors));
    await this.#transaction(async (client) => {
      for (const s of sensors)
        await client.query(
          `INSERT INTO sensors (id, kind, unit, asset, lat, lon, tags) VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (id) DO UPDATE SET kind = $2, unit = $3, asset = $4, lat = $5, lon = $6, tags = $7`,
          [s.id, s.kind, s.unit, s.asset, s.lat, s.lon, s.tags],
        );
    });
    for (const sensor of sensors) this.#remember(sensor.id, structuredClone(sensor));
  }

  async addMissingSensors(sensors: readonly Sensor[]): Promise<void> {
    if (sensors.length === 0) return;
    await this.#pool.query(
      `INSERT INTO sensors (id, kind, unit, asset, lat, lon, tags)
       SELECT * FROM jsonb_to_recordset($1::jsonb)
         AS x(id text, kind text, unit text, asset text, lat double precision, lon double precision, tags jsonb)
       ON CONFLICT (id) DO NOTHING`,
      [JSON.stringify(sensors)],
    );
    for (const sensor of sensors) if (!this.#sensors.has(sensor.id)) this.#remember(sensor.id, null);
  }

  /**
   * One transaction: the row is read `FOR UPDATE`, so an update of it in another process waits for
   * this one's commit and then reads what it wrote. `change` may read the registry meanwhile (on
   * other connections of the pool).
   */
  async updateSensor(id: string, change: (current: Sensor) => Promise<Sensor>): Promise<Sensor | undefined> {
    const updated = await this.#transaction(async (client) => {
      const locked = await client.query<SensorRow>('SELECT * FROM sensors WHERE id = $1 FOR UPDATE', [id]);
      if (locked.rows[0] === undefined) return undefined;
      const s = { ...(await change(sensorOf(locked.rows[0]))), id }; // the id stays
      await client.query(
        'UPDATE sensors SET kind = $2, unit = $3, asset = $4, lat = $5, lon = $6, tags = $7 WHERE id = $1',
        [id, s.kind, s.unit, s.asset, s.lat, s.lon, s.tags],
      );
      return s;
    });
    if (updated !== undefined) this.#remember(id, structuredClone(updated));
    return updated;
  }

  async updateAsset(id: string, change: (current: Asset) => Promise<Asset>): Promise<Asset | undefined> {
    return this.#transaction(async (client) => {
      const locked = await client.query<AssetRow>('SELECT * FROM assets WHERE id = $1 FOR UPDATE', [id]);
      if (locked.rows[0] === undefined) return undefined;
      const a = { ...(await change(assetOf(locked.rows[0]))), id }; // the id stays
      await client.query(
        'UPDATE assets SET type = $2, name = $3, lat = $4, lon = $5, tags = $6 WHERE id = $1',
        [id, a.type, a.name, a.lat, a.lon, a.tags],
      );
      return a;
    });
  }

  async getSensor(id: string): Promise<Sensor | undefined> {
    const cached = this.#sensors.get(id);
    if (cached != null && Date.now() < cached.until) return structuredClone(cached.sensor);
    const result = await this.#pool.query<SensorRow>('SELECT * FROM sensors WHERE id = $1', [id]);
    const row = result.rows[0];
    if (row === undefined) return undefined;
    const sensor = sensorOf(row);
    this.#remember(id, sensor);
    return structuredClone(sensor);
  }

  /** Read from the database, not the cache: one query whatever the number of ids. */
  async getSensors(ids: readonly string[]): Promise<Sensor[]> {
    const result = await this.#pool.query<SensorRow>('SELECT * FROM sensors WHERE id = ANY($1)', [
      [...new Set(ids)],
    ]);
    return result.rows.map(sensorOf);
  }

  async listSensors(filter: SensorFilter): Promise<Sensor[]> {
    const values: unknown[] = [filter.asset ?? null, filter.kind ?? null, filter.limit, filter.offset];
    // A sensor without a position of its own is placed at its asset's.
    const placed = { lat: 'COALESCE(s.lat, a.lat)', lon: 'COALESCE(s.lon, a.lon)', tags: 's.tags' };
    const more = placeAndTags(filter, values, placed);
    const from = filter.bbox === undefined ? 'sensors s' : 'sensors s LEFT JOIN assets a ON a.id = s.asset';
    const result = await this.#pool.query<SensorRow>(
      `SELECT s.* FROM ${from} WHERE ($1::text IS NULL OR s.asset = $1) AND ($2::text IS NULL OR s.kind = $2)${more}
       ORDER BY s.id LIMIT $3 OFFSET $4`,
      values,
    );
    return result.rows.map(sensorOf);
  }

  async deleteSensor(id: string): Promise<boolean> {
    const result = await this.#pool.query('DELETE FROM sensors WHERE id = $1', [id]);
    this.#sensors.delete(id);
    return (result.rowCount ?? 0) > 0;
  }

  async sensorsWithin(box: BoundingBox): Promise<string[]> {
    const result = await this.#pool.query<{ id: string }>(
      `SELECT s.id FROM sensors s LEFT JOIN assets a ON a.id = s.asset
       WHERE COALESCE(s.lat, a.lat) BETWEEN $1 AND $2 AND COALESCE(s.lon, a.lon) BETWEEN $3 AND $4 ORDER BY s.id`,
      [box.minLat, box.maxLat, box.minLon, box.maxLon],
    );
    return result.rows.map((row) => row.id);
  }

  hasSensor(id: string): boolean {
    return this.#sensors.has(id);
  }

  /** The pool belongs to the caller. */
  async close(): Promise<void> {}

  /** `null` marks a sensor known to exist whose details were not loaded. */
  #remember(id: string, sensor: Sensor | null): void {
    if (this.#sensors.size >= this.#options.maxCachedSensors && !this.#sensors.has(id)) this.#sensors.clear();
    this.#sensors.set(id, sensor === null ? null : { sensor, until: Date.now() + this.#detailsMaxAgeMillis });
  }

  async #transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

/**
 * ` AND …` conditions for a list's `bbox` and `tags` filters over the given columns, their values
 * appended to `values` (a key with any value: `?`; with a value: containment `@>`).
 */
function placeAndTags(
  filter: { bbox?: BoundingBox; tags?: TagFilter },
  values: unknown[],
  columns: { lat: string; lon: string; tags: string },
): string {
  const bind = (value: unknown): string => {
    values.push(value);
    return `$${values.length}`;
  };
  let sql = '';
  const box = filter.bbox;
  if (box !== undefined)
    sql +=
      ` AND ${columns.lat} BETWEEN ${bind(box.minLat)} AND ${bind(box.maxLat)}` +
      ` AND ${columns.lon} BETWEEN ${bind(box.minLon)} AND ${bind(box.maxLon)}`;
  for (const { key, value } of filter.tags ?? [])
    sql +=
      value === null
        ? ` AND ${columns.tags} ? ${bind(key)}`
        : ` AND ${columns.tags} @> ${bind(JSON.stringify({ [key]: value }))}::jsonb`;
  return sql;
}
