/** Aggregations a downsampled series can be asked for. */
export type Aggregation = 'avg' | 'min' | 'max' | 'sum' | 'count' | 'last';

export interface SeriesPoint {
  /** Start of the bucket, epoch milliseconds. */
  ts: number;
  value: number;
}

export interface LatestValue {
  ts: number;
  value: number;
}

/** Read side of the time-series store, as the query API sees it. */
export interface ReadingQueries {
  /** Readings of one sensor in [fromMillis, toMillis), downsampled to `stepMillis` buckets from the best resolution. */
  series(
    sensor: string,
    fromMillis: number,
    toMillis: number,
    stepMillis: number,
    aggregation: Aggregation,
  ): Promise<SeriesPoint[]>;
  /** Latest stored value of each sensor asked for; sensors with no reading are absent from the map. */
  latest(sensors: readonly string[]): Promise<Map<string, LatestValue>>;
}
