import { seededRandom as uniform } from '../../core/random.ts';

/** A seeded pseudo-random generator (mulberry32): the demo city is the same on every run. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max). */
  between(min: number, max: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** Uniform integer in [0, count). */
  index(count: number): number;
}

export function seededRandom(seed: number): Random {
  const next = uniform(seed);
  return {
    next,
    between: (min, max) => min + (max - min) * next(),
    normal: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
    index: (count) => Math.floor(next() * count),
  };
}
