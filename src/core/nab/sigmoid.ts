/**
 * NAB's window weighting. `relativePosition` is −1 at a window's left edge, 0 at its right edge
 * and positive past it (in units of the window's width). Values at or beyond 3 are flat −1.
 */
export function scaledSigmoid(relativePosition: number): number {
  if (relativePosition >= 3) return -1;
  return 2 / (1 + Math.exp(5 * relativePosition)) - 1;
}

/** The weight of a detection at the very left edge of a window: scaledSigmoid(−1) ≈ 0.98661. */
export const MAX_TRUE_POSITIVE_WEIGHT = scaledSigmoid(-1);
