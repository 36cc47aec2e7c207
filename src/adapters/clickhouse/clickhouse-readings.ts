import { randomUUID } from 'node:crypto';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Reading } from '../../core/readings/reading.ts';
import { seriesSegments, type SeriesSegment } from '../../core/readings/series-segments.ts';
import type { Aggregation, LatestValue, SeriesPoint } from '../../ports/reading-queries.ts';
import {
  resolutionMillis,
  type RetentionPolicy,
  type Rollup,
  type SeriesQuery,
  type SeriesSource,
} from '../../ports/reading-store.ts';
import { guardedInsert, revokeInserts, shardEndpoint, type ShardEndpoint } from './guarded-insert.ts';
import { quote, schemaStatements } from './schema.ts';

export interface ClickHouseReadingsOptions {
  /** HTTP URL of each shard, in the order of the cluster's `remote_servers`. */
  shardUrls: readonly string[];
  /** Cluster name in `remote_servers`. */
  cluster: string;
  database: string;
  /** Keep (and read) a 1-minute rollup; without it, minute-step series come from the raw readings. */
  minuteRollup: boolean;
  requestTimeoutMillis?: number;
}

/** Same FNV-1a as the bus shards, salted so ClickHouse shards and stream shards are independent. */
function storeShardOf(sensor: string, shards: number): number {
  let hash = 0x12345678;
  for (let index = 0; index < sensor.length; index += 1)
    hash = Math.imul(hash ^ sensor.charCodeAt(index), 0x01000193);
  return (hash >>> 0) % shards;
}

/** The longer of two keep times (`undefined`: forever). */
function longer(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : Math.max(a, b);
}

function keyOf(sensor: string, ts: number): string {
  return `${sensor}\u0000${ts}`;
}

const aggregateOfRaw: Record<Aggregation, string> = {
  avg: 'avg(value)',
  min: 'min(value)',
  max: 'max(value)',
  sum: 'sum(value)',
  count: 'count()',
  last: 'argMax(value, ts)',
};

const aggregateOfRollup: Record<Aggregation, string> = {
  avg: 'sumMerge(sum_value) / countMerge(readings)',
  min: 'minMerge(min_value)',
  max: 'maxMerge(max_value)',
  sum: 'sumMerge(sum_value)',
  count: 'countMerge(readings)',
  last: 'argMaxMerge(last_value)',
};

/** Outer aggregates over the partial aggregates of several segments (see `series`). */
const aggregateOfPartials: Record<Aggregation, string> = {
  avg: 'sum(part_sum) / sum(part_count)',
  min: 'min(part_min)',
  max: 'max(part_max)',
  sum: 'sum(part_sum)',
  count: 'sum(part_count)',
  last: 'argMax(part_last, segment_order)',
};

/** The Distributed rollup table of each bucket width. */
const rollupTables: Record<number, string> = {
  [resolutionMillis.hour]: 'rollup_hour',
  [resolutionMillis.minute]: 'rollup_minute',
};

/**
 * Readings on ClickHouse shards. Writes go straight to the `readings_local` table of the shard a
 * sensor hashes to (so a re-sent reading always lands where its first copy is); reads go through the
 * Distributed tables, which ask every shard.
 */
export class ClickHouseReadings implements SeriesSource {
  readonly #clients: ClickHouseClient[];
  /** One client per shard without keep-alive: each of its queries comes on a connection of its own (see `ping`). */
  readonly #freshClients: ClickHouseClient[];
  readonly #database: string;
  /** Where each shard's inserts go (`guardedInsert`), and how long one may take. */
  readonly #endpoints: ShardEndpoint[];
  readonly #timeoutMillis: number;
  /** Inserts that failed (timed out, say) and may still be running on their shard: query id → shard. */
  readonly #failedInserts = new Map<string, number>();
  /** Without the minute rollup, the query service asks minute steps of the raw readings. */
  readonly rollups: readonly Rollup[];

  private constructor(options: ClickHouseReadingsOptions) {
    if (options.shardUrls.length === 0) throw new RangeError('shardUrls must name at least one shard');
    this.#database = options.database;
    this.rollups = options.minuteRollup ? ['minute', 'hour'] : ['hour'];
    this.#timeoutMillis = options.requestTimeoutMillis ?? 15_000;
    const client = (url: string, keepAlive: boolean): ClickHouseClient =>
      createClient({
        url,
        request_timeout: this.#timeoutMillis,
        keep_alive: { enabled: keepAlive },
        // Every failure reaches the caller as an error; the client's own logger would also print a
        // stack trace per failed request (hundreds a minute while a shard is down).
        log: { level: ClickHouseLogLevel.OFF },
      });
    this.#endpoints = options.shardUrls.map(shardEndpoint);
    this.#clients = options.shardUrls.map((url) => client(url, true));
    this.#freshClients = options.shardUrls.map((url) => client(url, false));
  }

  /** Connects without touching the schema (a process that only reads, or starts while ClickHouse is down). */
  static connect(options: ClickHouseReadingsOptions): ClickHouseReadings {
    return new ClickHouseReadings(options);
  }

  /** Connects and creates the tables on every shard (idempotent). */
  static async open(options: ClickHouseReadingsOptions): Promise<ClickHouseReadings> {
    const store = new ClickHouseReadings(options);
    for (const client of store.#clients) {
      for (const statement of schemaStatements(options.cluster, options.database, options.minuteRollup))
        await client.command({ query: statement });
    }
    return store;
  }

  /**
   * Inserts readings, one guarded insert per shard (`guardedInsert`: RowBinary, revocable once it
   * failed here); each insert is atomic within a day's partition.
   */
  async insert(readings: readonly Reading[]): Promise<void> {
    const parts = this.#split(readings);
    await Promise.all(
      parts.map(async (rows, shard) => {
        if (rows.length === 0) return;
        const queryId = randomUUID();
        try {
          await guardedInsert(this.#endpoints[shard]!, this.#database, rows, queryId, this.#timeoutMillis);
        } catch (error) {
          this.#failedInserts.set(queryId, shard);
          throw error;
        }
      }),
    );
  }

  /**
   * Keys (`sensor \0 ts`) of the given readings that are already stored (see `check`); rows in range
   * but not asked for are ignored.
   */
  async existing(readings: readonly Reading[], sensorsPerQuery = 1_000): Promise<Set<string>> {
    return (await this.#stored(readings, sensorsPerQuery)).found;
  }

  /** Keeps the readings not stored yet (see `check`). */
  async missing(readings: readonly Reading[]): Promise<Reading[]> {
    return (await this.check(readings)).missing;
  }

  /**
   * The readings of the list not stored yet, and for each of their sensors with a stored reading at
   * or after the earliest `ts` of the list, the newest stored `ts` (a sensor not in `newest` has no
   * stored reading newer than any of its readings in the list). Asked per shard for up to
   * `sensorsPerQuery` sensors at a time (queries stay well under ClickHouse's 256 KiB limit).
   */
  async check(
    readings: readonly Reading[],
    sensorsPerQuery = 1_000,
  ): Promise<{ missing: Reading[]; newest: Map<string, number> }> {
    const { found, newest } = await this.#stored(readings, sensorsPerQuery);
    return { missing: readings.filter((reading) => !found.has(keyOf(reading.sensor, reading.ts))), newest };
  }

  async #stored(
    readings: readonly Reading[],
    sensorsPerQuery: number,
  ): Promise<{ found: Set<string>; newest: Map<string, number> }> {
    const found = new Set<string>();
    const newest = new Map<string, number>();
    const parts = this.#split(readings);
    await Promise.all(
      parts.map(async (rows, shard) => {
        const ranges = new Map<string, { from: number; to: number }>();
        for (const row of rows) {
          const range = ranges.get(row.sensor);
          if (range === undefined) ranges.set(row.sensor, { from: row.ts, to: row.ts });
          else {
            range.from = Math.min(range.from, row.ts);
            range.to = Math.max(range.to, row.ts);
          }
        }
        const sensors = [...ranges.keys()];
        for (let first = 0; first < sensors.length; first += sensorsPerQuery) {
          const group = sensors.slice(first, first + sensorsPerQuery);
          const from = Math.min(...group.map((sensor) => ranges.get(sensor)!.from));
          const to = Math.max(...group.map((sensor) => ranges.get(sensor)!.to));
          // Rows after `to` are only aggregated (their newest), never sent.
          const result = await this.#clients[shard]!.query({
            query:
              `SELECT sensor, toString(max(ts)) AS newest, ` +
              `arrayMap(t -> toString(t), groupArrayIf(ts, ts <= ${to})) AS found ` +
              `FROM ${this.#database}.readings_local ` +
              `WHERE sensor IN (${group.map(quote).join(', ')}) AND ts >= ${from} GROUP BY sensor`,
            format: 'JSONEachRow',
          });
          for (const row of await result.json<{ sensor: string; newest: string; found: string[] }>()) {
            newest.set(row.sensor, Number(row.newest));
            for (const ts of row.found) found.add(keyOf(row.sensor, Number(ts)));
          }
        }
      }),
    );
    return { found, newest };
  }

  /**
   * One sensor's series at the resolution asked for (`ReadingQueryService` chooses it and checks the
   * request). At a rollup resolution the whole rollup buckets inside [from, to) come from the rollup
   * and the ends from finer data (see `seriesSegments`), so the answer is the one raw readings give.
   */
  async series(query: SeriesQuery): Promise<SeriesPoint[]> {
    const { sensor, fromMillis, toMillis, stepMillis, aggregation } = query;
    if (!(stepMillis > 0)) throw new RangeError(`stepMillis must be positive, got ${stepMillis}`);
    const step = Math.floor(stepMillis);
    if (query.resolution !== 'raw' && step % resolutionMillis[query.resolution] !== 0)
      throw new RangeError(`stepMillis ${step} is not a multiple of the ${query.resolution} rollup`);
    const from = Math.max(0, Math.floor(fromMillis));
    const to = Math.max(0, Math.ceil(toMillis));
    const width = resolutionMillis[query.resolution];
    const widths = this.rollups
      .map((rollup) => resolutionMillis[rollup])
      .filter((rollupWidth) => width > 0 && rollupWidth <= width)
      .sort((a, b) => b - a);
    const segments = seriesSegments(from, to, widths);
    const where = `sensor = ${quote(sensor)}`;
    let sql: string;
    if (segments.length <= 1) {
      const only = segments[0] ?? { widthMillis: 0, fromMillis: from, toMillis: to };
      sql =
        only.widthMillis === 0
          ? `SELECT toString(intDiv(ts, ${step}) * ${step}) AS t, ${aggregateOfRaw[aggregation]} AS v ` +
            `FROM ${this.#database}.readings WHERE ${where} AND ts >= ${from} AND ts < ${to} GROUP BY t ORDER BY t`
          : `SELECT toString(intDiv(bucket, ${step}) * ${step}) AS t, ${aggregateOfRollup[aggregation]} AS v ` +
            `FROM ${this.#database}.${rollupTables[only.widthMillis]} WHERE ${where} ` +
            `AND bucket >= ${from} AND bucket < ${to} GROUP BY t ORDER BY t`;
    } else {
      const parts = segments.map((segment, order) => this.#segmentPartials(segment, order, where, step));
      sql =
        `SELECT toString(step_bucket) AS t, ${aggregateOfPartials[aggregation]} AS v ` +
        `FROM (${parts.join(' UNION ALL ')}) GROUP BY step_bucket ORDER BY step_bucket`;
    }
    const rows = await this.#rows<{ t: string; v: number | string }>(sql);
    return rows.map((row) => ({ ts: Number(row.t), value: Number(row.v) })).sort((a, b) => a.ts - b.ts);
  }

  /** Partial aggregates per step bucket of one segment; `segment_order` ranks segments in time for `last`. */
  #segmentPartials(segment: SeriesSegment, order: number, where: string, step: number): string {
    const table = rollupTables[segment.widthMillis];
    const columns = (time: string, sum: string, count: string, min: string, max: string, last: string) =>
      `SELECT toUInt64(intDiv(${time}, ${step}) * ${step}) AS step_bucket, ${sum} AS part_sum, ` +
      `toUInt64(${count}) AS part_count, ${min} AS part_min, ${max} AS part_max, ${last} AS part_last, ` +
      `toUInt32(${order}) AS segment_order`;
    if (table === undefined) {
      return (
        columns('ts', 'sum(value)', 'count()', 'min(value)', 'max(value)', 'argMax(value, ts)') +
        ` FROM ${this.#database}.readings WHERE ${where} ` +
        `AND ts >= ${segment.fromMillis} AND ts < ${segment.toMillis} GROUP BY step_bucket`
      );
    }
    return (
      columns(
        'bucket',
        'sumMerge(sum_value)',
        'countMerge(readings)',
        'minMerge(min_value)',
        'maxMerge(max_value)',
        'argMaxMerge(last_value)',
      ) +
      ` FROM ${this.#database}.${table} WHERE ${where} ` +
      `AND bucket >= ${segment.fromMillis} AND bucket < ${segment.toMillis} GROUP BY step_bucket`
    );
  }

  async latest(sensors: readonly string[]): Promise<Map<string, LatestValue>> {
    const latest = new Map<string, LatestValue>();
    if (sensors.length === 0) return latest;
    const rows = await this.#rows<{ sensor: string; t: string; v: number }>(
      `SELECT sensor, toString(max(ts)) AS t, argMax(value, ts) AS v FROM ${this.#database}.readings ` +
        `WHERE sensor IN (${sensors.map(quote).join(', ')}) GROUP BY sensor`,
    );
    for (const row of rows) latest.set(row.sensor, { ts: Number(row.t), value: Number(row.v) });
    return latest;
  }

  /** Raw readings stored (copies of a re-inserted reading not yet merged away count twice). */
  async count(): Promise<number> {
    const rows = await this.#rows<{ n: string }>(
      `SELECT toString(count()) AS n FROM ${this.#database}.readings`,
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** Stored rows and distinct (sensor, ts) among them, over every shard: their difference is duplicates. */
  async countDistinct(): Promise<{ rows: number; distinct: number }> {
    const rows = await this.#rows<{ n: string; d: string }>(
      `SELECT toString(count()) AS n, toString(uniqExact(sensor, ts)) AS d FROM ${this.#database}.readings`,
    );
    return { rows: Number(rows[0]?.n ?? 0), distinct: Number(rows[0]?.d ?? 0) };
  }

  /**
   * How long `applyRetention` keeps raw readings under `policy` (`undefined`: forever). Without a
   * minute rollup, minute-step series come from the raw readings: they are kept as long as the
   * minute rollup would have been (at one reading a minute they take less room than it).
   */
  rawKeepMillis(policy: RetentionPolicy): number | undefined {
    return this.rollups.includes('minute') ? policy.rawMillis : longer(policy.rawMillis, policy.minuteMillis);
  }

  /**
   * Retention by whole days (18.16 has no TTL): drops each shard's partitions (days) that end at or
   * before `now - keep`. Returns the rows dropped.
   */
  async applyRetention(nowMillis: number, policy: RetentionPolicy): Promise<number> {
    const tables: [string, number | undefined][] = [
      ['readings_local', this.rawKeepMillis(policy)],
      // Also without the option: a minute rollup made by an earlier version is still trimmed (a
      // table that does not exist has no parts, so nothing is dropped).
      ['`.inner.rollup_minute_local`', policy.minuteMillis],
      ['`.inner.rollup_hour_local`', policy.hourMillis],
    ];
    let dropped = 0;
    for (const client of this.#clients) {
      for (const [table, keepMillis] of tables) {
        if (keepMillis === undefined) continue;
        const cutoffDay = new Date(nowMillis - keepMillis).toISOString().slice(0, 10);
        const name = table.replace(/`/g, '');
        const result = await client.query({
          query:
            `SELECT partition, toString(sum(rows)) AS n FROM system.parts WHERE active AND database = ${quote(this.#database)} ` +
            `AND table = ${quote(name)} AND partition < ${quote(cutoffDay)} GROUP BY partition`,
          format: 'JSONEachRow',
        });
        for (const part of await result.json<{ partition: string; n: string }>()) {
          await client.command({
            query: `ALTER TABLE ${this.#database}.${table} DROP PARTITION ${quote(part.partition)}`,
          });
          dropped += Number(part.n);
        }
      }
    }
    return dropped;
  }

  /**
   * Resolves once every insert that failed here is revoked on its shard and none is still running
   * there (one that timed out on this side may be carried out by ClickHouse later, a stopped
   * server's once it runs again: revoked, it stores nothing); rejects naming one that is running,
   * or when a shard does not answer. Only then does a check of what is stored stay true for what
   * the failed inserts held: a write of the "missing" readings before it could be followed by the
   * late insert, and the rollups would count those readings twice.
   */
  async settle(): Promise<void> {
    const byShard = new Map<number, string[]>();
    for (const [queryId, shard] of this.#failedInserts) {
      const ids = byShard.get(shard);
      if (ids === undefined) byShard.set(shard, [queryId]);
      else ids.push(queryId);
    }
    for (const [shard, ids] of byShard) {
      const client = this.#clients[shard]!;
      await revokeInserts(client, this.#database, ids);
      const [running] = await runningQueries(client, ids);
      if (running !== undefined)
        throw new Error(
          `an insert that failed on ClickHouse shard ${shard + 1} is still running (${running})`,
        );
      for (const id of ids) this.#failedInserts.delete(id);
    }
  }

  /**
   * Resolves once every shard answers a query and holds the database; rejects otherwise (a
   * misspelt `--clickhouse-database` then shows as ClickHouse down, naming it, not as 500s).
   * Asked on a new connection, not a kept-alive one: a server takes new connections in the order
   * they came, so once it answers this one it has also taken up every request that waited for it
   * while it was unreachable (a write that failed here by timing out, say), and `settle` can see
   * those running. A kept-alive connection's query is answered at once, ahead of them.
   */
  async ping(): Promise<void> {
    await Promise.all(
      this.#freshClients.map(async (client, shard) => {
        const result = await client.query({
          // Debian's ClickHouse takes no query parameters: the name is quoted.
          query: `SELECT count() AS n FROM system.databases WHERE name = ${quote(this.#database)}`,
          format: 'JSONEachRow',
        });
        const [row] = await result.json<{ n: string | number }>();
        if (Number(row?.n ?? 0) === 0)
          throw new Error(
            `ClickHouse shard ${shard + 1} has no database '${this.#database}' (the processing ` +
              'processes create it as they start; check --clickhouse-database)',
          );
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.#clients, ...this.#freshClients].map((client) => client.close()));
  }

  async #rows<T>(query: string): Promise<T[]> {
    const result = await this.#clients[0]!.query({ query, format: 'JSONEachRow' });
    return result.json<T>();
  }

  #split(readings: readonly Reading[]): (readonly Reading[])[] {
    if (this.#clients.length === 1) return [readings];
    const parts = this.#clients.map(() => [] as Reading[]);
    for (const reading of readings) parts[storeShardOf(reading.sensor, parts.length)]!.push(reading);
    return parts;
  }
}

/** Which of the query ids are running on the server now (its `system.processes`). */
export async function runningQueries(
  client: ClickHouseClient,
  queryIds: readonly string[],
): Promise<string[]> {
  if (queryIds.length === 0) return [];
  const result = await client.query({
    query: `SELECT query_id FROM system.processes WHERE query_id IN (${queryIds.map(quote).join(', ')})`,
    format: 'JSONEachRow',
  });
  return (await result.json<{ query_id: string }>()).map((row) => row.query_id);
}
