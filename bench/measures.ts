/**
 * Small pure computations shared by the benchmarks, kept apart so that their definitions are
 * tested (test/bench-measures.test.ts): a figure's name must say what it is computed from.
 */

/**
 * Bytes of resident memory each new sensor costs: the growth of the RSS since before the sensors
 * came, over the sensors met since. Null when no sensor was met or a reading is missing (NaN), so
 * that a process's base memory is never passed off as a per-sensor cost.
 */
export function rssGrowthPerSensor(
  rssBeforeBytes: number,
  rssAfterBytes: number,
  sensors: number,
): number | null {
  if (!(sensors > 0) || !Number.isFinite(rssBeforeBytes) || !Number.isFinite(rssAfterBytes)) return null;
  return Math.round((rssAfterBytes - rssBeforeBytes) / sensors);
}

/**
 * Our rate over the peer's, both measured in this run on the same data (two decimals), or null
 * when either side did not run or failed: a missing side is never replaced by another figure.
 */
export function sideBySideRatio(
  ours: number | null | undefined,
  peer: number | null | undefined,
): number | null {
  if (ours === null || ours === undefined || peer === null || peer === undefined) return null;
  if (!(ours > 0) || !(peer > 0)) return null;
  return Math.round((ours / peer) * 100) / 100;
}

/** Saturday or Sunday in UTC of an epoch-millisecond time (day 0, 1970-01-01, was a Thursday). */
export function isWeekendUtc(epochMillis: number): boolean {
  return (Math.floor(epochMillis / 86_400_000) + 3) % 7 >= 5;
}

/**
 * The value of metric `name` on a Prometheus text page, summed over its labels; null when the page
 * does not have it (so that a missing figure is never read as zero).
 */
export function metricValue(page: string, name: string): number | null {
  const matches = [...page.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'gm'))];
  return matches.length === 0 ? null : matches.reduce((total, match) => total + Number(match[1]), 0);
}

/**
 * The run of `runs` whose `value` is the median (the lower of the two middle ones when their count
 * is even), or undefined when there is none: a figure that was measured, never a mean of two.
 */
export function medianRun<T>(runs: readonly T[], value: (run: T) => number): T | undefined {
  const sorted = [...runs].sort((a, b) => value(a) - value(b));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}
