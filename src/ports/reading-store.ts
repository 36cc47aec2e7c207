import type { Aggregation, LatestValue, SeriesPoint } from './reading-queries.ts';

/**
 * Readings in columnar form, sensors given as dense integer keys handed out by
 * `ReadingStore.sensorKey`. Only the first `length` entries of each array count.
 */
export interface KeyedReadings {
  keys: Uint32Array;
  /** Epoch milliseconds. */
  timestamps: Float64Array;
  values: Float64Array;
  length: number;
}

/** Where a series is read from: raw readings or a rollup table. */
export type Resolution = 'raw' | 'minute' | 'hour';

/** Width of each resolution's buckets in milliseconds (raw: 0). */
export const resolutionMillis: Readonly<Record<Resolution, number>> = {
  raw: 0,
  minute: 60_000,
  hour: 3_600_000,
};

/**
 * A series request. Readings in [fromMillis, toMillis) are grouped into buckets starting at multiples
 * of `stepMillis`; for a rollup resolution `stepMillis` must be a multiple of its width. Every
 * resolution answers for exactly that range: a store reads the whole rollup buckets inside it from
 * the rollup and the partial ones at its ends from finer data.
 */
export interface SeriesQuery {
  sensor: string;
  fromMillis: number;
  toMillis: number;
  stepMillis: number;
  aggregation: Aggregation;
  resolution: Resolution;
}

/** What one append did: readings written, and re-sent ones (same sensor and ts) dropped. */
export interface AppendResult {
  stored: number;
  duplicates: number;
}

/** How long each resolution is kept; `undefined` keeps it forever. */
export interface RetentionPolicy {
  rawMillis?: number;
  minuteMillis?: number;
  hourMillis?: number;
}

/**
 * The time-series store. Appends are idempotent on (sensor, ts): the first value stored wins.
 * Rollups (1 minute, 1 hour: min, max, sum, count, last) are kept current by `append`.
 */
export interface ReadingStore {
  /** Dense key of a sensor id; a new id gets the next key, persisted with the next append. */
  sensorKey(sensor: string): number;
  /** The sensor id of a key handed out before, if any. */
  sensorId(key: number): string | undefined;
  /** Appends one chunk atomically (readings and rollups together). */
  append(chunk: KeyedReadings): Promise<AppendResult>;
  /** Makes every appended chunk durable in the store's own files (a checkpoint). */
  checkpoint(): Promise<void>;
  /** One sensor's series in buckets of `stepMillis` aligned to multiples of it since the epoch. */
  series(query: SeriesQuery): Promise<SeriesPoint[]>;
  latest(sensors: readonly string[]): Promise<Map<string, LatestValue>>;
  /** Deletes what the policy no longer keeps, relative to `nowMillis`. Returns rows deleted. */
  applyRetention(nowMillis: number, policy: RetentionPolicy): Promise<number>;
  /** Number of raw readings stored. */
  count(): Promise<number>;
  close(): Promise<void>;
}

/** Rollup resolutions a store may keep. */
export type Rollup = Exclude<Resolution, 'raw'>;

/**
 * What queries read: any store that answers a series at a resolution, and latest values;
 * `rollups` are the rollups it keeps (default: every one).
 */
export type SeriesSource = Pick<ReadingStore, 'series' | 'latest'> & { readonly rollups?: readonly Rollup[] };

/** Which stored readings `ReadingHistory.readingsAfter` reads back. */
export interface ReadingsAfterQuery {
  /** Per sensor id: only its readings timed after this (epoch ms). */
  afterBySensor: ReadonlyMap<string, number>;
  /** Sensors not in `afterBySensor`: their readings timed at or after this (−∞: all of them). */
  othersFromMillis: number;
  /** No reading timed after this (epoch ms). */
  toMillis: number;
  /** At most this many readings, the newest ones. */
  limit: number;
}

/** Readings in columns, in time order (ties in any order). */
export interface StoredReadings {
  sensors: string[];
  timestamps: Float64Array;
  values: Float64Array;
  /** Readings the query matched: more than `sensors.length` when `limit` cut the oldest. */
  matched: number;
}

/**
 * Raw readings read back in bulk across sensors: how the detectors catch up at start with the
 * stored readings they had not scored (or whose scoring was not saved) when the process stopped.
 */
export interface ReadingHistory {
  readingsAfter(query: ReadingsAfterQuery): Promise<StoredReadings>;
}
