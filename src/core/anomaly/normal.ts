/** Upper tail probability of the standard normal, P(Z > z), via erfc (max error ~1.2e-7). */
export function normalTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/** Complementary error function (Numerical Recipes' Chebyshev fit). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/**
 * Maps a tail probability onto [0, 1] on a log scale, as NAB's HTM detector does with its
 * anomaly likelihood: 1e-10 → 1, 1 → 0, so 0.5 means a one-in-100,000 event.
 */
export function logTailScore(tail: number): number {
  const score = Math.log(tail + 1e-10) / Math.log(1e-10);
  return score > 0 ? (score < 1 ? score : 1) : 0;
}
