import { clampScore } from './detector.ts';
import type { AnomalyDetector } from './detector.ts';
import {
  AGE_SWEEP_POINTS,
  LEVEL_COUNT,
  MAX_AGE_POINTS,
  ageLevels,
  returnPeriodScore,
} from './return-period.ts';
import type { HorizonOptions } from './return-period.ts';
import { PROTOTYPES, SHAPE_DIMENSIONS, WINDOW_POINTS, shapeNovelty } from './shape-memory.ts';
import type { ShapeMemory } from './shape-memory.ts';
import { alphaOf } from './surprise.ts';

/** Options of the rarity detector; half-lives and horizons are in readings. */
export interface RarityOptions extends HorizonOptions {
  /** Scale of the mean-shift surprise (|fast mean − slow mean| in slow σ); 0 leaves it out. */
  meanShiftGain: number;
  /** Half-life of the fast mean, compared with the slow mean (100: a level shift lasting hours). */
  fastHalfLifePoints: number;
  /** Half-life of the slow mean and variance. */
  slowHalfLifePoints: number;
  /** Half-life of the fast variance, compared with the slow one. */
  varianceHalfLifePoints: number;
  /** Scale of the log variance ratio (so that it reads like standard deviations). */
  varianceGain: number;
  /** Half-life of the sustained variance, also compared with the slow one (a longer, steadier rise). */
  sustainedVarianceHalfLifePoints: number;
  /** Scale of the sustained variance rise; 0 leaves it out. */
  sustainedVarianceGain: number;
  /** Scale of the log variance drop (a sensor that freezes or goes quiet). */
  varianceDropGain: number;
  /** Scale of the shape novelty. */
  shapeGain: number;
  /** Scale of the spike z-score: 1/3 puts the significance floor at 6σ for a single reading. */
  spikeGain: number;
  /** Residuals are winsorised at this many slow standard deviations before they update the model. */
  clipSigmas: number;
  /**
   * Range rule: after rangeWarmupPoints readings, a reading beyond the lowest or highest reading
   * ever seen by more than rangeMarginFraction of that range (and by at least rangeMarginSigmas)
   * scores 1. A fraction of 0 turns the rule off.
   */
  rangeMarginFraction: number;
  rangeWarmupPoints: number;
  /**
   * The margin is also at least this many mean absolute steps (running mean of |reading − previous
   * reading|; 1.13 standard deviations for i.i.d. noise), so that pure noise, which keeps setting
   * new records by small amounts, does not alarm.
   */
  rangeMarginSteps: number;
  /** The margin is also at least this many slow standard deviations (0: no such floor). */
  rangeMarginSigmas: number;
  /** Readings scored 0 while the model settles. */
  warmupPoints: number;
  /**
   * After a score ≥ alarmLevel (an alarm), the next refractoryPoints scores are halved, and until
   * repeatPoints readings after it so is every score below the alarm's own (one event, one alarm).
   */
  alarmLevel: number;
  refractoryPoints: number;
  repeatPoints: number;
}

/** The shipped configuration (how it was chosen: docs/detectors.md). */
export const DEFAULT_RARITY_OPTIONS: RarityOptions = {
  meanShiftGain: 6,
  fastHalfLifePoints: 100,
  slowHalfLifePoints: 300,
  varianceHalfLifePoints: 20,
  varianceGain: 2.5,
  sustainedVarianceHalfLifePoints: 50,
  sustainedVarianceGain: 3,
  varianceDropGain: 0.5,
  shapeGain: 2,
  spikeGain: 1 / 3,
  clipSigmas: 4,
  rangeMarginFraction: 0.03,
  rangeWarmupPoints: 400,
  rangeMarginSteps: 0.66,
  rangeMarginSigmas: 0,
  warmupPoints: 200,
  minHorizonPoints: 500,
  horizonPoints: 20000,
  alarmLevel: 0.89,
  refractoryPoints: 30,
  repeatPoints: 400,
};

/** The first configuration (NAB standard 62.80 when chosen), kept for comparison: fast mean shift, no range rule. */
export const FIRST_RARITY_OPTIONS: RarityOptions = {
  ...DEFAULT_RARITY_OPTIONS,
  meanShiftGain: 1,
  fastHalfLifePoints: 2,
  varianceGain: 3,
  sustainedVarianceGain: 0,
  rangeMarginFraction: 0,
  alarmLevel: 0.85,
  refractoryPoints: 50,
  repeatPoints: 50,
};

const enum Slot {
  Count,
  FastMean,
  SlowMean,
  SlowVariance,
  FastVariance,
  Refractory,
  OverallMean,
  PlainVariance,
  SeasonalVariance,
  PrototypeCount,
  RangeLow,
  RangeHigh,
  LastAlarm,
  LastReading,
  MeanStep,
  SustainedVariance,
  Length,
}

const HOURS = 24;
/**
 * Six return-period level tables: sustained variance rise, variance rise, shape, variance drop,
 * spike, mean shift.
 */
const FEATURES = 6;
const LEVELS_LENGTH = FEATURES * LEVEL_COUNT;
/**
 * Byte layout of a state, widest elements first so that every block is aligned: the Float64
 * slots; Float32 hourly means, shape window and shape prototypes; Uint16 level tables and
 * prototype last uses; Uint8 hourly counts and prototype counts (both saturating at 255).
 */
const HOUR_MEANS_AT = Slot.Length * 8;
const WINDOW_AT = HOUR_MEANS_AT + HOURS * 4;
const PROTOTYPES_AT = WINDOW_AT + WINDOW_POINTS * 4;
const LEVELS_AT = PROTOTYPES_AT + PROTOTYPES * SHAPE_DIMENSIONS * 2;
const LAST_USE_AT = LEVELS_AT + LEVELS_LENGTH * 2;
const HOUR_COUNTS_AT = LAST_USE_AT + PROTOTYPES * 2;
const SHAPE_COUNTS_AT = HOUR_COUNTS_AT + HOURS;
const SNAPSHOT_BYTES = SHAPE_COUNTS_AT + PROTOTYPES;
const MAX_HOUR_COUNT = 255;

const HOUR_MILLIS = 3_600_000;
/** Option objects already checked: a million sensors share one, so it is checked once. */
const validated = new WeakSet<object>();
/**
 * Detector states are carved out of shared slabs of 1,024 states (0.9 MB) rather than one small
 * buffer per sensor: creating a detector is the cost of a sensor's first reading, and a million
 * small buffers also cost the garbage collector.
 */
const STRIDE = Math.ceil(SNAPSHOT_BYTES / 8) * 8;
let slab = new ArrayBuffer(0);
let slabOffset = 0;
function slabBytes(): Uint8Array {
  if (slabOffset + STRIDE > slab.byteLength) {
    slab = new ArrayBuffer(STRIDE * 1024);
    slabOffset = 0;
  }
  const bytes = new Uint8Array(slab, slabOffset, SNAPSHOT_BYTES);
  slabOffset += STRIDE;
  return bytes;
}
/** The hour profile is used once it explains the value at least this much better than a flat mean. */
const SEASONAL_VARIANCE_RATIO = 0.5;
const HOUR_READY_COUNT = 5;
const HOUR_RATE = 0.05;
const OVERALL_RATE = 0.002;
const PROFILE_FIT_RATE = 0.005;
/** The mean absolute step is a plain average over the first readings, then an EW mean (half-life 69). */
const STEP_READY_COUNT = 50;
const STEP_RATE = 0.01;

/**
 * The rarity detector (the default). Per reading, O(1) apart from a 24-point shape window:
 * 1. an hour-of-day profile is subtracted when it explains the stream clearly better than a flat mean;
 * 2. raw surprises: spike (|value − slow mean| in slow standard deviations), variance rise
 *    and variance drop (log of fast over slow variance, either way), sustained variance rise (log
 *    of a half-life-50 variance over the slow one), shape novelty (distance of
 *    the recent window's shape to a small adaptive memory of shapes) and mean shift (|mean of
 *    half-life 100 − slow mean| in slow standard deviations: a level shift that lasts hours);
 * 3. each is calibrated by its return period — how long since the stream was this surprised,
 *    relative to how long it has been watched — so that scores mean the same on every sensor;
 * 4. the largest calibrated score wins; after an alarm the next few scores are halved, and for a
 *    while longer every score below the alarm's own;
 * 5. range rule (numenta's "spatial anomaly"): a reading beyond every reading seen so far, by 3 % of
 *    that range and at least 0.66 mean absolute steps, scores 1.
 * State: 920 bytes (SNAPSHOT_BYTES).
 */
export class RarityDetector implements AnomalyDetector {
  private readonly state: Float64Array;
  private readonly hourMeans: Float32Array;
  private readonly hourCounts: Uint8Array;
  private readonly levels: Uint16Array;
  private readonly memory: ShapeMemory;
  private readonly fastAlpha: number;
  private readonly slowAlpha: number;
  private readonly varianceAlpha: number;
  private readonly sustainedAlpha: number;
  private readonly used = { count: 0 };

  constructor(
    private readonly options: RarityOptions = DEFAULT_RARITY_OPTIONS,
    snapshot?: Uint8Array,
  ) {
    if (!validated.has(options))
      for (const [key, value] of Object.entries(options)) {
        if (!Number.isFinite(value) || value < 0)
          throw new Error(`rarity: option ${key} = ${value} must be a finite number ≥ 0`);
      }
    if (options.repeatPoints < options.refractoryPoints)
      throw new Error(
        `rarity: option repeatPoints = ${options.repeatPoints} must be ≥ refractoryPoints = ${options.refractoryPoints}`,
      );
    if (options.horizonPoints > MAX_AGE_POINTS || options.minHorizonPoints > options.horizonPoints)
      throw new Error(
        `rarity: options minHorizonPoints = ${options.minHorizonPoints} ≤ horizonPoints = ${options.horizonPoints} ≤ ${MAX_AGE_POINTS} must hold`,
      );
    if (options.alarmLevel > 1)
      throw new Error(`rarity: option alarmLevel = ${options.alarmLevel} must be ≤ 1`);
    validated.add(options);
    const bytes = slabBytes();
    if (snapshot !== undefined) bytes.set(snapshot);
    const { buffer, byteOffset } = bytes;
    this.state = new Float64Array(buffer, byteOffset, Slot.Length);
    this.hourMeans = new Float32Array(buffer, byteOffset + HOUR_MEANS_AT, HOURS);
    this.hourCounts = new Uint8Array(buffer, byteOffset + HOUR_COUNTS_AT, HOURS);
    this.levels = new Uint16Array(buffer, byteOffset + LEVELS_AT, LEVELS_LENGTH);
    this.memory = {
      window: new Float32Array(buffer, byteOffset + WINDOW_AT, WINDOW_POINTS),
      prototypes: new Int16Array(buffer, byteOffset + PROTOTYPES_AT, PROTOTYPES * SHAPE_DIMENSIONS),
      counts: new Uint8Array(buffer, byteOffset + SHAPE_COUNTS_AT, PROTOTYPES),
      lastUse: new Uint16Array(buffer, byteOffset + LAST_USE_AT, PROTOTYPES),
    };
    this.fastAlpha = alphaOf(options.fastHalfLifePoints);
    this.slowAlpha = alphaOf(options.slowHalfLifePoints);
    this.varianceAlpha = alphaOf(options.varianceHalfLifePoints);
    this.sustainedAlpha = alphaOf(options.sustainedVarianceHalfLifePoints);
  }

  /** Size of a snapshot in bytes. */
  static readonly snapshotBytes = SNAPSHOT_BYTES;

  static restore(
    bytes: Uint8Array,
    options: RarityOptions = DEFAULT_RARITY_OPTIONS,
  ): RarityDetector | undefined {
    return bytes.byteLength === SNAPSHOT_BYTES ? new RarityDetector(options, bytes) : undefined;
  }

  update(timestampMillis: number, raw: number): number {
    const s = this.state;
    const index = (s[Slot.Count] as number) + 1;
    s[Slot.Count] = index;
    if (index === 1) {
      s[Slot.FastMean] = raw;
      s[Slot.SlowMean] = raw;
      s[Slot.OverallMean] = raw;
      s[Slot.RangeLow] = raw;
      s[Slot.RangeHigh] = raw;
      s[Slot.LastReading] = raw;
      return 0;
    }
    const value = this.deseasonalise(timestampMillis, raw);
    const slowMean = s[Slot.SlowMean] as number;
    const slowVariance = s[Slot.SlowVariance] as number;
    const floor = 1e-8 * (slowMean * slowMean + 1e-4);
    const sd = Math.sqrt(slowVariance + floor);
    const fastAlpha = index <= 10 ? 1 / index : this.fastAlpha;
    const fastMean = (s[Slot.FastMean] as number) + fastAlpha * (value - (s[Slot.FastMean] as number));
    s[Slot.FastMean] = fastMean;

    const meanShift = Math.abs(fastMean - slowMean) / sd;
    const spike = Math.abs(value - slowMean) / sd;
    const readingStep = Math.abs(raw - (s[Slot.LastReading] as number));
    s[Slot.LastReading] = raw;
    const meanStep = s[Slot.MeanStep] as number;
    const stepRate = index <= STEP_READY_COUNT ? 1 / (index - 1) : STEP_RATE;
    s[Slot.MeanStep] = meanStep + stepRate * (readingStep - meanStep);
    const rangeScore = this.rangeRule(
      index,
      raw,
      Math.max(this.options.rangeMarginSteps * meanStep, this.options.rangeMarginSigmas * sd),
    );
    const logVarianceRatio = Math.log(((s[Slot.FastVariance] as number) + floor) / (slowVariance + floor));
    const sustainedRise =
      Math.max(0, Math.log(((s[Slot.SustainedVariance] as number) + floor) / (slowVariance + floor))) *
      this.options.sustainedVarianceGain;
    const varianceRise = Math.max(0, logVarianceRatio) * this.options.varianceGain;
    const varianceDrop = Math.max(0, -logVarianceRatio) * this.options.varianceDropGain;
    const step = index - 1;
    if (step % AGE_SWEEP_POINTS === 0) {
      ageLevels(this.levels, step);
      ageLevels(this.memory.lastUse, step);
    }
    const novelty = shapeNovelty(
      this.memory,
      step,
      value,
      slowMean,
      sd,
      s[Slot.PrototypeCount] as number,
      this.used,
    );
    s[Slot.PrototypeCount] = this.used.count;

    const clip = this.options.clipSigmas * sd;
    const residual = Math.max(-clip, Math.min(clip, value - slowMean));
    const a = index <= 20 ? 1 / index : this.slowAlpha;
    s[Slot.SlowMean] = slowMean + a * residual;
    s[Slot.SlowVariance] = (1 - a) * (slowVariance + a * residual * residual);
    const va = index <= 20 ? 1 / index : this.varianceAlpha;
    s[Slot.FastVariance] = (1 - va) * (s[Slot.FastVariance] as number) + va * residual * residual;
    const sa = index <= 20 ? 1 / index : this.sustainedAlpha;
    s[Slot.SustainedVariance] = (1 - sa) * (s[Slot.SustainedVariance] as number) + sa * residual * residual;

    const o = this.options;
    const sustainedScore = returnPeriodScore(this.levels, 0, sustainedRise, step, o);
    const varianceScore = returnPeriodScore(this.levels, LEVEL_COUNT, varianceRise, step, o);
    const shapeScore = returnPeriodScore(this.levels, 2 * LEVEL_COUNT, novelty * o.shapeGain, step, o);
    const dropScore = returnPeriodScore(this.levels, 3 * LEVEL_COUNT, varianceDrop, step, o);
    const spikeScore = returnPeriodScore(this.levels, 4 * LEVEL_COUNT, spike * o.spikeGain, step, o);
    const shiftScore = returnPeriodScore(this.levels, 5 * LEVEL_COUNT, meanShift * o.meanShiftGain, step, o);
    if (step < o.warmupPoints) return 0;
    let score = Math.max(
      sustainedScore,
      varianceScore,
      shapeScore,
      dropScore,
      spikeScore,
      shiftScore,
      rangeScore,
    );
    const refractory = s[Slot.Refractory] as number;
    const quieted =
      refractory > 0 &&
      (refractory > o.repeatPoints - o.refractoryPoints || score < (s[Slot.LastAlarm] as number));
    if (refractory > 0) s[Slot.Refractory] = refractory - 1;
    if (quieted) {
      score *= 0.5;
    } else if (score >= o.alarmLevel) {
      s[Slot.Refractory] = o.repeatPoints;
      s[Slot.LastAlarm] = score;
    }
    return clampScore(score);
  }

  snapshot(): Uint8Array {
    return new Uint8Array(
      this.state.buffer.slice(this.state.byteOffset, this.state.byteOffset + SNAPSHOT_BYTES),
    );
  }

  readingsSeen(): number {
    return this.state[Slot.Count] as number;
  }

  /**
   * 1 when `raw` lies beyond the range seen so far by more than the margin (a share of the range,
   * and at least `minimumMargin`), else 0; widens the range.
   */
  private rangeRule(index: number, raw: number, minimumMargin: number): number {
    const s = this.state;
    const low = s[Slot.RangeLow] as number;
    const high = s[Slot.RangeHigh] as number;
    const margin = Math.max(this.options.rangeMarginFraction * (high - low), minimumMargin);
    const beyond =
      this.options.rangeMarginFraction > 0 &&
      index > this.options.rangeWarmupPoints &&
      high > low &&
      (raw > high + margin || raw < low - margin);
    if (raw < low) s[Slot.RangeLow] = raw;
    if (raw > high) s[Slot.RangeHigh] = raw;
    return beyond ? 1 : 0;
  }

  /** Subtracts the hour-of-day profile when it fits clearly better than a flat mean; learns both. */
  private deseasonalise(timestampMillis: number, value: number): number {
    const s = this.state;
    const hour = (((Math.floor(timestampMillis / HOUR_MILLIS) % HOURS) + HOURS) % HOURS) | 0;
    const count = this.hourCounts[hour] as number;
    const hourMean = this.hourMeans[hour] as number;
    const overall = s[Slot.OverallMean] as number;
    const ready = count >= HOUR_READY_COUNT;
    const seasonal =
      ready &&
      (s[Slot.SeasonalVariance] as number) < SEASONAL_VARIANCE_RATIO * (s[Slot.PlainVariance] as number);
    const result = seasonal ? value - (hourMean - overall) : value;
    const plainError = value - overall;
    const profileError = value - (ready ? hourMean : overall);
    s[Slot.PlainVariance] =
      (1 - PROFILE_FIT_RATE) * (s[Slot.PlainVariance] as number) + PROFILE_FIT_RATE * plainError * plainError;
    s[Slot.SeasonalVariance] =
      (1 - PROFILE_FIT_RATE) * (s[Slot.SeasonalVariance] as number) +
      PROFILE_FIT_RATE * profileError * profileError;
    // A plain average until the EW mean's window is filled: an EW mean started at the first
    // reading keeps that reading's error for thousands of readings, and the profile test then
    // mistakes the error for a daily cycle.
    const overallRate = Math.max(OVERALL_RATE, 1 / (s[Slot.Count] as number));
    s[Slot.OverallMean] = overall + overallRate * (value - overall);
    const rate = count < 10 ? 1 / (count + 1) : HOUR_RATE;
    this.hourMeans[hour] = hourMean + rate * (value - hourMean);
    if (count < MAX_HOUR_COUNT) this.hourCounts[hour] = count + 1;
    return result;
  }
}
