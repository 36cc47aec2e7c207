import { bytesToState, clampScore, stateToBytes } from './detector.ts';
import type { AnomalyDetector } from './detector.ts';
import { logTailScore, normalTail } from './normal.ts';

/**
 * Options of the surprise detector. Half-lives are in readings (the detector is rate-agnostic:
 * it never reads the clock, so one configuration serves 5-minute and 1-hour sensors alike).
 */
export interface SurpriseOptions {
  /** Half-life of the running mean and variance of the value and of its step changes. */
  levelHalfLifePoints: number;
  /** Half-life of the short average of raw surprise (numenta averages the last ~10). */
  shortHalfLifePoints: number;
  /** Half-life of the long-run mean and variance of raw surprise. */
  longHalfLifePoints: number;
  /** Residuals are winsorised at this many standard deviations before they update the model. */
  clipSigmas: number;
  /** Readings before any score above 0 is given. */
  warmupPoints: number;
  /** After a score ≥ alarmLevel, scores are damped for this many readings. */
  refractoryPoints: number;
  alarmLevel: number;
  /** Factor applied to scores inside the refractory period. */
  refractoryFactor: number;
}

export const DEFAULT_SURPRISE_OPTIONS: SurpriseOptions = {
  levelHalfLifePoints: 200,
  shortHalfLifePoints: 3,
  longHalfLifePoints: 1000,
  clipSigmas: 4,
  warmupPoints: 150,
  refractoryPoints: 300,
  alarmLevel: 0.5,
  refractoryFactor: 0.5,
};

const enum Slot {
  Count,
  Mean,
  Variance,
  Last,
  StepVariance,
  Short,
  LongMean,
  LongVariance,
  Refractory,
  Length,
}

/** Smallest variance relative to the squared mean, so a flat line does not divide by zero. */
const RELATIVE_VARIANCE_FLOOR = 1e-8;

/**
 * The surprise detector: raw surprise is the larger of the level z-score and the step z-score
 * against exponentially weighted statistics; its short average is then judged against its own
 * long-run distribution (a Gaussian tail probability, log-scaled as in numenta's anomaly
 * likelihood), so the score is high only in rare moments. After an alarm, repeats are damped.
 * State: 9 numbers (72 bytes).
 */
export class SurpriseDetector implements AnomalyDetector {
  private readonly state: Float64Array;
  private readonly levelAlpha: number;
  private readonly shortAlpha: number;
  private readonly longAlpha: number;

  constructor(
    private readonly options: SurpriseOptions = DEFAULT_SURPRISE_OPTIONS,
    state?: Float64Array,
  ) {
    for (const [key, value] of Object.entries(options)) {
      if (!Number.isFinite(value) || value < 0)
        throw new Error(`surprise: option ${key} = ${value} must be a finite number ≥ 0`);
    }
    this.state = state ?? new Float64Array(Slot.Length);
    this.levelAlpha = alphaOf(options.levelHalfLifePoints);
    this.shortAlpha = alphaOf(options.shortHalfLifePoints);
    this.longAlpha = alphaOf(options.longHalfLifePoints);
  }

  static restore(
    bytes: Uint8Array,
    options: SurpriseOptions = DEFAULT_SURPRISE_OPTIONS,
  ): SurpriseDetector | undefined {
    const state = bytesToState(bytes, Slot.Length);
    return state === undefined ? undefined : new SurpriseDetector(options, state);
  }

  update(_timestampMillis: number, value: number): number {
    const s = this.state;
    const count = s[Slot.Count] as number;
    s[Slot.Count] = count + 1;
    if (count === 0) {
      s[Slot.Mean] = value;
      s[Slot.Last] = value;
      return 0;
    }
    const mean = s[Slot.Mean] as number;
    const floor = RELATIVE_VARIANCE_FLOOR * (mean * mean + 1e-4);
    const sd = Math.sqrt((s[Slot.Variance] as number) + floor);
    const stepSd = Math.sqrt((s[Slot.StepVariance] as number) + floor);
    const residual = value - mean;
    const step = value - (s[Slot.Last] as number);
    const raw = Math.max(Math.abs(residual) / sd, Math.abs(step) / stepSd);

    // Model update with winsorised residuals: a spike moves the model only a little.
    const clip = this.options.clipSigmas;
    const a = count < 20 ? 1 / (count + 1) : this.levelAlpha;
    const clippedResidual = Math.max(-clip * sd, Math.min(clip * sd, residual));
    const clippedStep = Math.max(-clip * stepSd, Math.min(clip * stepSd, step));
    s[Slot.Mean] = mean + a * clippedResidual;
    s[Slot.Variance] = (1 - a) * ((s[Slot.Variance] as number) + a * clippedResidual * clippedResidual);
    s[Slot.StepVariance] = (1 - a) * (s[Slot.StepVariance] as number) + a * clippedStep * clippedStep;
    s[Slot.Last] = value;

    const short =
      (s[Slot.Short] as number) + this.shortAlpha * (Math.min(raw, 10) - (s[Slot.Short] as number));
    s[Slot.Short] = short;
    const longMean = s[Slot.LongMean] as number;
    const longVariance = s[Slot.LongVariance] as number;
    const la = count < 50 ? 1 / (count + 1) : this.longAlpha;
    const deviation = short - longMean;
    s[Slot.LongMean] = longMean + la * deviation;
    s[Slot.LongVariance] = (1 - la) * (longVariance + la * deviation * deviation);
    if (count < this.options.warmupPoints) return 0;

    const z = deviation / Math.sqrt(longVariance + 1e-6);
    let score = logTailScore(normalTail(z));
    const refractory = s[Slot.Refractory] as number;
    if (refractory > 0) {
      s[Slot.Refractory] = refractory - 1;
      score *= this.options.refractoryFactor;
    } else if (score >= this.options.alarmLevel) {
      s[Slot.Refractory] = this.options.refractoryPoints;
    }
    return clampScore(score);
  }

  snapshot(): Uint8Array {
    return stateToBytes(this.state);
  }
}

/** EW weight with the given half-life in readings. */
export function alphaOf(halfLifePoints: number): number {
  return halfLifePoints <= 0 ? 1 : 1 - Math.pow(0.5, 1 / halfLifePoints);
}
