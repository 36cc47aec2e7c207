const hour = 3_600_000;
const minute = 60_000;
const second = 1000;

/**
 * A series step rounded up to a whole hour, minute or second once it is that long, so that the
 * coarsest rollup that can serve it does (a rollup serves a step its width divides); shorter steps
 * are kept as they are. Shared by the query API's default step and the dashboard's chart.
 */
export function roundStep(millis: number): number {
  for (const unit of [hour, minute, second]) if (millis >= unit) return Math.ceil(millis / unit) * unit;
  return millis;
}

/**
 * How many buckets of `stepMillis`, aligned to multiples of it since the epoch, the range
 * [fromMillis, toMillis) touches: the most points a series over it can have (one more than the
 * range over the step when neither end is aligned).
 */
export function bucketCount(fromMillis: number, toMillis: number, stepMillis: number): number {
  if (toMillis <= fromMillis) return 0;
  return Math.floor((toMillis - 1) / stepMillis) - Math.floor(fromMillis / stepMillis) + 1;
}

/** The smallest step (ms) whose buckets over a range of `rangeMillis` number at most `maxBuckets`. */
export function smallestStep(rangeMillis: number, maxBuckets: number): number {
  // A range of r ms touches at most floor((r − 1) / step) + 2 buckets.
  return maxBuckets <= 1 ? rangeMillis * 2 : Math.max(1, Math.ceil(rangeMillis / (maxBuckets - 1)));
}
