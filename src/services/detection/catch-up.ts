import type { Reading } from '../../core/readings/reading.ts';
import type { ReadingHistory } from '../../ports/reading-store.ts';

/** What `DetectionService.start` caught up with from the store. */
export interface CatchUpSummary {
  /** Stored readings scored at start. */
  readings: number;
  /** Sensors they belong to. */
  sensors: number;
  /** Older readings that matched but were left unscored: over `catchUpReadings`. */
  beyondCap: number;
  /** Time taken (read, score, alerts), in milliseconds. */
  millis: number;
}

export interface CatchUpOptions {
  history: ReadingHistory;
  /** By sensor, the last reading time of the state its detector resumed from: caught up from after it. */
  after: ReadonlyMap<string, number>;
  /** When the saved states last reflected every scored reading (epoch ms); undefined if never recorded. */
  savedAtMillis: number | undefined;
  /** Sensors without a state are caught up from readings timed this long before `savedAtMillis`. */
  lookbackMillis: number;
  /** At most this many readings (the newest). */
  limitReadings: number;
  /** No reading timed after this (the clock plus the future tolerance). */
  toMillis: number;
  /** Scores one batch through the live path; resolves once it is scored. */
  score: (batch: readonly Reading[]) => Promise<void>;
}

/** Readings scored per batch while catching up. */
const batchReadings = 10_000;

/**
 * Reads the stored readings the detectors have not seen (those timed after each saved state's last
 * reading; for sensors with no state, those timed since shortly before the last save) and scores
 * them in time order, in batches.
 */
export async function catchUp(options: CatchUpOptions): Promise<Omit<CatchUpSummary, 'millis'>> {
  const stored = await options.history.readingsAfter({
    afterBySensor: options.after,
    othersFromMillis:
      options.savedAtMillis === undefined
        ? Number.NEGATIVE_INFINITY
        : options.savedAtMillis - options.lookbackMillis,
    toMillis: options.toMillis,
    limit: options.limitReadings,
  });
  const length = stored.sensors.length;
  for (let start = 0; start < length; start += batchReadings) {
    const end = Math.min(length, start + batchReadings);
    const batch: Reading[] = [];
    for (let index = start; index < end; index++) {
      batch.push({
        sensor: stored.sensors[index] as string,
        ts: stored.timestamps[index] as number,
        value: stored.values[index] as number,
      });
    }
    await options.score(batch);
  }
  return { readings: length, sensors: new Set(stored.sensors).size, beyondCap: stored.matched - length };
}
