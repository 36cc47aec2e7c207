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
