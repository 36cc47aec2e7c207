import type { Reading } from '../../core/readings/reading.ts';
import { SensorKeys } from '../../core/readings/sensor-keys.ts';
import type { Aggregation, LatestValue, SeriesPoint } from '../../ports/reading-queries.ts';
import type {
  AppendResult,
  KeyedReadings,
  ReadingHistory,
  ReadingsAfterQuery,
  ReadingStore,
  RetentionPolicy,
  SeriesQuery,
  StoredReadings,
} from '../../ports/reading-store.ts';

/**
 * ReadingStore in memory, for unit tests and demos. Keeps raw readings only and answers every
 * resolution from them, which is what the rollups of a real store must equal (within the raw
 * retention: past it this store keeps nothing, a real store its rollups). Each sensor's latest
 * value outlives the retention, as in a real store.
 */
export class MemoryReadingStore implements ReadingStore, ReadingHistory {
  private readonly keys = new SensorKeys();
  /** Per sensor key: ts -> value. */
  private readonly series_: Map<number, number>[] = [];
  /** Per sensor key: its newest reading, kept past the raw retention as a real store keeps it. */
  private readonly latest_: LatestValue[] = [];
  private stored = 0;
  checkpoints = 0;

  sensorKey(sensor: string): number {
    return this.keys.keyOf(sensor);
  }

  sensorId(key: number): string | undefined {
    return this.keys.idOf(key);
  }

  async append(chunk: KeyedReadings): Promise<AppendResult> {
    let stored = 0;
    for (let row = 0; row < chunk.length; row++) {
      const key = chunk.keys[row] as number;
      const readings = (this.series_[key] ??= new Map());
      const ts = chunk.timestamps[row] as number;
      if (readings.has(ts)) continue;
      const value = chunk.values[row] as number;
      readings.set(ts, value);
      const latest = this.latest_[key];
      if (latest === undefined || ts > latest.ts) this.latest_[key] = { ts, value };
      stored++;
    }
    this.stored += stored;
    return { stored, duplicates: chunk.length - stored };
  }

  /** All stored readings of a sensor, by time. */
  readingsOf(sensor: string): Reading[] {
    const key = this.keys.find(sensor);
    const readings = key === undefined ? undefined : this.series_[key];
    if (readings === undefined) return [];
    return [...readings].map(([ts, value]) => ({ sensor, ts, value })).sort((a, b) => a.ts - b.ts);
  }

  async readingsAfter(query: ReadingsAfterQuery): Promise<StoredReadings> {
    const matched: Reading[] = [];
    this.series_.forEach((readings, key) => {
      const sensor = this.keys.idOf(key) as string;
      const after = query.afterBySensor.get(sensor);
      for (const [ts, value] of readings) {
        const wanted = after === undefined ? ts >= query.othersFromMillis : ts > after;
        if (wanted && ts <= query.toMillis) matched.push({ sensor, ts, value });
      }
    });
    const kept = matched.sort((a, b) => a.ts - b.ts).slice(Math.max(0, matched.length - query.limit));
    return {
      sensors: kept.map((reading) => reading.sensor),
      timestamps: Float64Array.from(kept, (reading) => reading.ts),
      values: Float64Array.from(kept, (reading) => reading.value),
      matched: matched.length,
    };
  }

  async checkpoint(): Promise<void> {
    this.checkpoints += 1;
  }

  async series(query: SeriesQuery): Promise<SeriesPoint[]> {
    const key = this.keys.find(query.sensor);
    const readings = key === undefined ? undefined : this.series_[key];
    if (readings === undefined) return [];
    const buckets = new Map<number, [number, number][]>();
    for (const [ts, value] of readings) {
      if (ts < query.fromMillis || ts >= query.toMillis) continue;
      const bucket = ts - (ts % query.stepMillis);
      let members = buckets.get(bucket);
      if (members === undefined) buckets.set(bucket, (members = []));
      members.push([ts, value]);
    }
    return [...buckets.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([ts, members]) => ({ ts, value: aggregate(members, query.aggregation) }));
  }

  async latest(sensors: readonly string[]): Promise<Map<string, LatestValue>> {
    const result = new Map<string, LatestValue>();
    for (const sensor of sensors) {
      const key = this.keys.find(sensor);
      const latest = key === undefined ? undefined : this.latest_[key];
      if (latest !== undefined) result.set(sensor, { ...latest });
    }
    return result;
  }

  async applyRetention(nowMillis: number, policy: RetentionPolicy): Promise<number> {
    if (policy.rawMillis === undefined) return 0;
    const horizon = Math.floor(nowMillis - policy.rawMillis);
    let deleted = 0;
    for (const readings of this.series_) {
      if (readings === undefined) continue;
      for (const ts of readings.keys()) {
        if (ts >= horizon) continue;
        readings.delete(ts);
        deleted++;
      }
    }
    this.stored -= deleted;
    return deleted;
  }

  async count(): Promise<number> {
    return this.stored;
  }

  async close(): Promise<void> {}
}

/** One bucket's aggregate; loops, not spread arguments, as a bucket may hold millions of readings. */
function aggregate(members: [number, number][], aggregation: Aggregation): number {
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let last = members[0] as [number, number];
  for (const member of members) {
    const value = member[1];
    sum += value;
    if (value < min) min = value;
    if (value > max) max = value;
    if (member[0] > last[0]) last = member;
  }
  switch (aggregation) {
    case 'avg':
      return sum / members.length;
    case 'min':
      return min;
    case 'max':
      return max;
    case 'sum':
      return sum;
    case 'count':
      return members.length;
    case 'last':
      return last[1];
  }
}
