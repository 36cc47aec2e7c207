import { roundStep } from '../../core/readings/step.ts';
import { resolutionMillis, type Resolution, type Rollup } from '../../ports/reading-store.ts';

/**
 * The coarsest of the store's `rollups` whose bucket width divides `stepMillis` exactly, so that
 * every step bucket is a whole number of rollup buckets and the answer equals one computed
 * from raw readings (the store reads the partial rollup buckets at the ends of the range from
 * finer data). Falls back to raw for steps that no kept rollup's width divides.
 */
export function chooseResolution(
  stepMillis: number,
  rollups: readonly Rollup[] = ['minute', 'hour'],
): Resolution {
  if (rollups.includes('hour') && stepMillis % resolutionMillis.hour === 0) return 'hour';
  if (rollups.includes('minute') && stepMillis % resolutionMillis.minute === 0) return 'minute';
  return 'raw';
}

/**
 * The step of a series asked for without one: the range over 1,000 points, rounded up to a whole
 * hour, minute or second once it is that long, so that the coarsest rollup it can use is used (a
 * 24-hour range: 2 minutes, from the minute rollup, not 86.4 s from raw readings, which are kept
 * only 30 days).
 */
export function defaultStep(rangeMillis: number): number {
  return roundStep(Math.max(1, Math.ceil(rangeMillis / 1000)));
}
