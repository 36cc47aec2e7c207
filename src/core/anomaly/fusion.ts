/**
 * Fuses the scores of several columns of one row. Every column's detector is calibrated to the
 * same scale (a tail probability on a log scale), so the largest score is the fused score: a row
 * is a detection when any column is.
 */
export function fuseMax(scores: readonly number[]): number {
  let best = 0;
  for (const score of scores) if (score > best) best = score;
  return best;
}
