/** A time range read from one resolution: `widthMillis` is its bucket width (0: raw readings). */
export interface SeriesSegment {
  widthMillis: number;
  fromMillis: number;
  toMillis: number;
}

/**
 * Splits [fromMillis, toMillis) into segments to read from rollups of the given bucket widths
 * (coarsest first, each a multiple of the next) and from raw readings: the whole buckets of the
 * coarsest rollup inside the range, the ends from the next finer one, and so on down to raw
 * readings. Together they cover the range exactly, so a series summed over them equals one
 * computed from raw readings, while most of a long range is read from the coarsest rollup.
 * Segments come in time order; empty ones are left out.
 */
export function seriesSegments(
  fromMillis: number,
  toMillis: number,
  widthsMillis: readonly number[],
): SeriesSegment[] {
  if (toMillis <= fromMillis) return [];
  const [width, ...finer] = widthsMillis;
  if (width === undefined) return [{ widthMillis: 0, fromMillis, toMillis }];
  const start = Math.ceil(fromMillis / width) * width;
  const end = Math.floor(toMillis / width) * width;
  if (start >= end) return seriesSegments(fromMillis, toMillis, finer);
  return [
    ...seriesSegments(fromMillis, start, finer),
    { widthMillis: width, fromMillis: start, toMillis: end },
    ...seriesSegments(end, toMillis, finer),
  ];
}
