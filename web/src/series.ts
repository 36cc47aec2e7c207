/** A series as the chart draws it: times in epoch seconds, `null` values where the line breaks. */
export interface ChartSeries {
  xs: number[];
  values: (number | null)[];
  /** For each entry, the index of its point in the answer, or -1 for a break. */
  origins: number[];
}

/**
 * The query API leaves out the buckets without readings, so a line drawn through its points would
 * bridge an outage. A spacing longer than three times the usual one (the median spacing, or the
 * step when that is longer) is a gap: a `null` one step after its last point breaks the line there.
 */
export function seriesWithGaps(points: { ts: number; value: number }[], stepMillis: number): ChartSeries {
  const spacings: number[] = [];
  for (let index = 1; index < points.length; index += 1)
    spacings.push((points[index] as { ts: number }).ts - (points[index - 1] as { ts: number }).ts);
  spacings.sort((a, b) => a - b);
  const usualMillis = Math.max(stepMillis, spacings[Math.floor(spacings.length / 2)] ?? 0);
  const xs: number[] = [];
  const values: (number | null)[] = [];
  const origins: number[] = [];
  points.forEach((point, index) => {
    const previous = points[index - 1];
    if (previous !== undefined && point.ts - previous.ts > 3 * usualMillis) {
      xs.push((previous.ts + stepMillis) / 1000);
      values.push(null);
      origins.push(-1);
    }
    xs.push(point.ts / 1000);
    values.push(point.value);
    origins.push(index);
  });
  return { xs, values, origins };
}
