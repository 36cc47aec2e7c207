import type { Aggregation, LatestValue, ReadingQueries, SeriesPoint } from '../../ports/reading-queries.ts';
import type { SeriesSource } from '../../ports/reading-store.ts';
import { bucketCount } from '../../core/readings/step.ts';
import { chooseResolution } from './resolution.ts';

/** Largest number of buckets one series request may ask for. */
export const maxSeriesPoints = 100_000;

/**
 * Implements `ReadingQueries` on a store (DuckDB, in memory, ClickHouse), checking each request
 * and reading each series from the best resolution for its step.
 */
export class ReadingQueryService implements ReadingQueries {
  constructor(private readonly store: SeriesSource) {}

  async series(
    sensor: string,
    fromMillis: number,
    toMillis: number,
    stepMillis: number,
    aggregation: Aggregation,
  ): Promise<SeriesPoint[]> {
    for (const [name, value] of [
      ['fromMillis', fromMillis],
      ['toMillis', toMillis],
      ['stepMillis', stepMillis],
    ] as const) {
      if (!Number.isSafeInteger(value) || value < 0)
        throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
    }
    if (stepMillis === 0) throw new RangeError('stepMillis must be positive');
    if (toMillis <= fromMillis) return [];
    if (bucketCount(fromMillis, toMillis, stepMillis) > maxSeriesPoints) {
      throw new RangeError(`a series may have at most ${maxSeriesPoints} points`);
    }
    const resolution = chooseResolution(stepMillis, this.store.rollups);
    return this.store.series({ sensor, fromMillis, toMillis, stepMillis, aggregation, resolution });
  }

  latest(sensors: readonly string[]): Promise<Map<string, LatestValue>> {
    return this.store.latest(sensors);
  }
}
