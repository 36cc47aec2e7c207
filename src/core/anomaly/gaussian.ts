import { bytesToState, clampScore, stateToBytes } from './detector.ts';
import type { AnomalyDetector } from './detector.ts';
import { normalTail } from './normal.ts';
import { alphaOf } from './surprise.ts';

const LENGTH = 3;

/**
 * The Gaussian baseline (NAB's windowedGaussian, with an exponentially weighted window so that it
 * is O(1)): score = 1 − P(|Z| > |z|) of the reading against the running mean and variance.
 * State: 3 numbers.
 */
export class GaussianDetector implements AnomalyDetector {
  private readonly state: Float64Array;
  private readonly alpha: number;

  constructor(
    private readonly halfLifePoints = 2000,
    state?: Float64Array,
  ) {
    if (!Number.isFinite(halfLifePoints) || halfLifePoints <= 0)
      throw new Error(`gaussian: halfLifePoints = ${halfLifePoints} must be > 0`);
    this.state = state ?? new Float64Array(LENGTH);
    this.alpha = alphaOf(halfLifePoints);
  }

  static restore(bytes: Uint8Array): GaussianDetector | undefined {
    const state = bytesToState(bytes, LENGTH);
    return state === undefined ? undefined : new GaussianDetector(undefined, state);
  }

  update(_timestampMillis: number, value: number): number {
    const s = this.state;
    const count = (s[0] as number) + 1;
    s[0] = count;
    const mean = s[1] as number;
    const variance = s[2] as number;
    const deviation = value - mean;
    const a = count <= 100 ? 1 / count : this.alpha;
    s[1] = mean + a * deviation;
    s[2] = (1 - a) * (variance + a * deviation * deviation);
    if (count <= 100 || variance <= 0) return 0;
    return clampScore(1 - 2 * normalTail(Math.abs(deviation) / Math.sqrt(variance)));
  }

  snapshot(): Uint8Array {
    return stateToBytes(this.state);
  }
}
