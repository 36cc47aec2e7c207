/**
 * A step of at least a second, rounded up to a whole hour, minute or second once it is that long,
 * so that the server answers from a rollup (minute or hour) where one serves it: raw readings are
 * kept 30 days and are the slowest to read.
 */
export function roundedStep(millis: number): number {
  for (const unit of [3_600_000, 60_000, 1000]) if (millis >= unit) return Math.ceil(millis / unit) * unit;
  return 1000;
}
