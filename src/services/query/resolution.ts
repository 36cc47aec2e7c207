import { resolutionMillis, type Resolution } from '../../ports/reading-store.ts';

/**
 * The coarsest stored resolution whose bucket width divides `stepMillis` exactly, so that
 * every step bucket is a whole number of rollup buckets and the answer equals one computed
 * from raw readings. Falls back to raw for steps that no rollup width divides.
 */
export function chooseResolution(stepMillis: number): Resolution {
  if (stepMillis % resolutionMillis.hour === 0) return 'hour';
  if (stepMillis % resolutionMillis.minute === 0) return 'minute';
  return 'raw';
}
