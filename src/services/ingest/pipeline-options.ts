import type { RetentionPolicy } from '../../ports/reading-store.ts';

/** Tuning of the ingest pipeline. Every bound is in readings, bytes or milliseconds as named. */
export interface PipelineOptions {
  /** Readings held in memory between flushes; beyond it `ingest` answers overloaded. */
  maxBufferedReadings: number;
  /** A flush starts early once this many readings wait. */
  flushThresholdReadings: number;
  /** Period of the background flush. */
  flushIntervalMillis: number;
  /** Period of store checkpoints, after which the covered write-ahead log is deleted. */
  checkpointIntervalMillis: number;
  /** Write-ahead log size beyond which `ingest` answers overloaded until the next checkpoint. */
  maxWalBacklogBytes: number;
  /** Period of retention runs. */
  retentionIntervalMillis: number;
  /**
   * Delay of the first retention run after the start (at most the period), so that a server
   * restarted more often than the period still deletes what it should.
   */
  firstRetentionMillis: number;
  retention: RetentionPolicy;
  /**
   * While write-ahead-log writes fail, `ingest` refuses at once and lets one call through to try
   * again at most this often.
   */
  unwritableRetryMillis: number;
  /**
   * Receives one line when a task starts failing (log writes, background flushes, checkpoints,
   * retention runs, which never throw) and one when it works again; failures in between are
   * only counted.
   */
  log: (line: string) => void;
}

const DAY_MILLIS = 86_400_000;

export const defaultPipelineOptions: PipelineOptions = {
  maxBufferedReadings: 1_000_000,
  flushThresholdReadings: 500_000,
  flushIntervalMillis: 1_000,
  checkpointIntervalMillis: 60_000,
  maxWalBacklogBytes: 1 << 30,
  retentionIntervalMillis: 3_600_000,
  firstRetentionMillis: 60_000,
  retention: { rawMillis: 30 * DAY_MILLIS, minuteMillis: 365 * DAY_MILLIS },
  unwritableRetryMillis: 1_000,
  log: (line) => console.error(`urban-brain: ${line}`),
};

/** Fills defaults and checks bounds. */
export function resolvePipelineOptions(options: Partial<PipelineOptions> = {}): PipelineOptions {
  const resolved = { ...defaultPipelineOptions, ...options };
  const positive: (keyof PipelineOptions)[] = [
    'maxBufferedReadings',
    'flushThresholdReadings',
    'flushIntervalMillis',
    'checkpointIntervalMillis',
    'maxWalBacklogBytes',
    'retentionIntervalMillis',
    'firstRetentionMillis',
    'unwritableRetryMillis',
  ];
  for (const name of positive) {
    const value = resolved[name];
    if (typeof value !== 'number' || !(value > 0))
      throw new RangeError(`${name} must be a positive number, got ${String(value)}`);
  }
  if (resolved.flushThresholdReadings > resolved.maxBufferedReadings) {
    throw new RangeError('flushThresholdReadings must not exceed maxBufferedReadings');
  }
  return resolved;
}
