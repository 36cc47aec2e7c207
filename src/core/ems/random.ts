/** Random variates for the simulations, drawn from the shared seeded source. */
import type { Random } from '../random.ts';

export { seededRandom, type Random } from '../random.ts';

export function exponential(random: Random, mean: number): number {
  return -mean * Math.log(1 - random());
}

export function standardNormal(random: Random): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Log-normal with the given mean and coefficient of variation. */
export function logNormal(random: Random, mean: number, coefficientOfVariation: number): number {
  const sigma2 = Math.log(1 + coefficientOfVariation ** 2);
  const mu = Math.log(mean) - sigma2 / 2;
  return Math.exp(mu + Math.sqrt(sigma2) * standardNormal(random));
}

/** Index drawn with probability proportional to `weights[index]`. */
export function pickWeighted(random: Random, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let target = random() * total;
  for (let index = 0; index < weights.length; index++) {
    target -= weights[index] ?? 0;
    if (target < 0) return index;
  }
  return weights.length - 1;
}
