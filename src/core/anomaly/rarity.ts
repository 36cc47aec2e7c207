import { clampScore } from './detector.ts';
import type { AnomalyDetector } from './detector.ts';
import {
  AGE_SWEEP_POINTS,
  LEVEL_COUNT,
  MAX_AGE_POINTS,
  ageLevels,
  recordReturnLevel,
  returnPeriodScore,
} from './return-period.ts';
import type { HorizonOptions } from './return-period.ts';
import { PROTOTYPES, SHAPE_DIMENSIONS, WINDOW_POINTS, shapeNovelty } from './shape-memory.ts';
import type { ShapeLayout } from './shape-memory.ts';
import { StateSlabs } from './state-slab.ts';
import type { SlabViews } from './state-slab.ts';
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
  /** Timestamp of the last reading (NaN in a state restored from the 920-byte layout). */
  LastTimestamp,
  /** Timestamp of the first reading (−∞ in a state restored from the 920-byte layout). */
  FirstTimestamp,
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
/** The layout before the two timestamps were added: the same blocks, 16 bytes earlier after the slots. */
const PREVIOUS_SNAPSHOT_BYTES = SNAPSHOT_BYTES - 16;
const MAX_HOUR_COUNT = 255;

const SHAPE_LAYOUT: ShapeLayout = {
  windowAt: WINDOW_AT,
  prototypesAt: PROTOTYPES_AT,
  countsAt: SHAPE_COUNTS_AT,
  lastUseAt: LAST_USE_AT,
  prototypeCountAt: Slot.PrototypeCount * 8,
};

const HOUR_MILLIS = 3_600_000;
const DAY_MILLIS = HOURS * HOUR_MILLIS;
/**
 * Detector states are carved out of shared slabs of 1,024 states (0.9 MB), and the typed-array
 * views are made once per slab: a detector is one small object (its slab's views, its byte offset
 * and its configuration), so a million sensors cost a few dozen MB of heap beside their states.
 */
const STRIDE = Math.ceil(SNAPSHOT_BYTES / 8) * 8;
const slabs = new StateSlabs(STRIDE, 1024);

/** What a configuration derives once (smoothing rates); shared by every detector using it. */
interface Tuning {
  options: RarityOptions;
  fastAlpha: number;
  slowAlpha: number;
  varianceAlpha: number;
  sustainedAlpha: number;
}
/**
 * Configurations already checked and derived: a million sensors share one, so it is done once.
 * An options object is therefore taken as immutable once a detector uses it.
 */
const tunings = new WeakMap<RarityOptions, Tuning>();

function tuningOf(options: RarityOptions): Tuning {
  const known = tunings.get(options);
  if (known !== undefined) return known;
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
  const tuning: Tuning = {
    options,
    fastAlpha: alphaOf(options.fastHalfLifePoints),
    slowAlpha: alphaOf(options.slowHalfLifePoints),
    varianceAlpha: alphaOf(options.varianceHalfLifePoints),
    sustainedAlpha: alphaOf(options.sustainedVarianceHalfLifePoints),
  };
  tunings.set(options, tuning);
  return tuning;
}
/** The hour profile is used once it explains the value at least this much better than a flat mean. */
const SEASONAL_VARIANCE_RATIO = 0.5;
const HOUR_READY_COUNT = 5;
/**
 * An hourly mean learns this much from a reading five minutes after the previous one, and as much
 * per five minutes at any other spacing (1 − 0.95^(gap / 5 min)): the profile adapts at the same
 * speed in hours whether a sensor reports every minute or every hour.
 */
const HOUR_RATE = 0.05;
const HOUR_RATE_SPACING_MILLIS = 300_000;
const HOUR_RATE_LOG_PER_MILLI = Math.log(1 - HOUR_RATE) / HOUR_RATE_SPACING_MILLIS;
const OVERALL_RATE = 0.002;
const PROFILE_FIT_RATE = 0.005;
/** The mean absolute step is a plain average over the first readings, then an EW mean (half-life 69). */
const STEP_READY_COUNT = 50;
const STEP_RATE = 0.01;

/**
 * The rarity detector (the default). Per reading, O(1) apart from a 24-point shape window:
 * 1. an hour-of-day profile (learned per unit of time, used after a day) is subtracted when it
 *    explains the stream clearly better than a flat mean;
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
 * State: 936 bytes (SNAPSHOT_BYTES) in a shared slab; heap: one object of three fields.
 */
export class RarityDetector implements AnomalyDetector {
  private readonly tuning: Tuning;
  /** The slab holding this detector's state, and where in it the state starts (bytes). */
  private readonly views: SlabViews;
  private readonly byteOffset: number;

  constructor(options: RarityOptions = DEFAULT_RARITY_OPTIONS, snapshot?: Uint8Array) {
    this.tuning = tuningOf(options);
    if (snapshot !== undefined && snapshot.byteLength !== SNAPSHOT_BYTES)
      throw new Error(`rarity: a snapshot holds ${SNAPSHOT_BYTES} bytes, got ${snapshot.byteLength}`);
    const { views, byteOffset } = slabs.allocate();
    if (snapshot !== undefined) views.uint8.set(snapshot, byteOffset);
    this.views = views;
    this.byteOffset = byteOffset;
  }

  /** Size of a snapshot in bytes. */
  static readonly snapshotBytes = SNAPSHOT_BYTES;

  static restore(
    bytes: Uint8Array,
    options: RarityOptions = DEFAULT_RARITY_OPTIONS,
  ): RarityDetector | undefined {
    if (bytes.byteLength === PREVIOUS_SNAPSHOT_BYTES) return new RarityDetector(options, upgrade(bytes));
    return bytes.byteLength === SNAPSHOT_BYTES ? new RarityDetector(options, bytes) : undefined;
  }

  update(timestampMillis: number, raw: number): number {
    const s = this.views.float64;
    const b = this.byteOffset >> 3;
    const tuning = this.tuning;
    const o = tuning.options;
    const index = (s[b + Slot.Count] as number) + 1;
    s[b + Slot.Count] = index;
    if (index === 1) {
      s[b + Slot.FastMean] = raw;
      s[b + Slot.SlowMean] = raw;
      s[b + Slot.OverallMean] = raw;
      s[b + Slot.RangeLow] = raw;
      s[b + Slot.RangeHigh] = raw;
      s[b + Slot.LastReading] = raw;
      s[b + Slot.LastTimestamp] = timestampMillis;
      s[b + Slot.FirstTimestamp] = timestampMillis;
      return 0;
    }
    const lastMillis = s[b + Slot.LastTimestamp] as number;
    const value = this.deseasonalise(timestampMillis, raw);
    const firstMillis = s[b + Slot.FirstTimestamp] as number;
    const missed = index > 20 ? missedReadings(firstMillis, lastMillis, index, timestampMillis) : 0;
    // Readings the sensor did not send (an outage): the means move as they would have over
    // readings on the straight line from the last one to this one, so a signal that moved while
    // the sensor was silent is not taken for a shift once it reports again.
    if (missed > 0) {
      // As far as the signal is smooth (its steps small beside its spread; not at all once its mean
      // step is a third of its spread): a noisy one's single readings say little of where it
      // went, and its means stay where they are.
      const fast = s[b + Slot.FastMean] as number;
      const spread = Math.sqrt(s[b + Slot.SlowVariance] as number);
      const smooth = spread > 0 ? Math.max(0, 1 - (3 * (s[b + Slot.MeanStep] as number)) / spread) : 0;
      const last = (s[b + Slot.LastReading] as number) - raw + value;
      this.fillGap(missed, fast + smooth * (last - fast), fast + smooth * (value - fast));
    }
    const slowMean = s[b + Slot.SlowMean] as number;
    const slowVariance = s[b + Slot.SlowVariance] as number;
    const floor = varianceFloor(slowMean);
    const sd = Math.sqrt(slowVariance + floor);
    const fastAlpha = index <= 10 ? 1 / index : tuning.fastAlpha;
    const fastMean =
      (s[b + Slot.FastMean] as number) + fastAlpha * (value - (s[b + Slot.FastMean] as number));
    s[b + Slot.FastMean] = fastMean;

    const meanShift = Math.abs(fastMean - slowMean) / sd;
    const spike = Math.abs(value - slowMean) / sd;
    const readingStep = Math.abs(raw - (s[b + Slot.LastReading] as number)) / (missed + 1);
    s[b + Slot.LastReading] = raw;
    const meanStep = s[b + Slot.MeanStep] as number;
    const stepRate = index <= STEP_READY_COUNT ? 1 / (index - 1) : STEP_RATE;
    s[b + Slot.MeanStep] = meanStep + stepRate * (readingStep - meanStep);
    const rangeScore = this.rangeRule(
      index,
      raw,
      Math.max(o.rangeMarginSteps * meanStep, o.rangeMarginSigmas * sd),
    );
    const logVarianceRatio = Math.log(
      ((s[b + Slot.FastVariance] as number) + floor) / (slowVariance + floor),
    );
    const sustainedRise =
      Math.max(0, Math.log(((s[b + Slot.SustainedVariance] as number) + floor) / (slowVariance + floor))) *
      o.sustainedVarianceGain;
    const varianceRise = Math.max(0, logVarianceRatio) * o.varianceGain;
    const varianceDrop = Math.max(0, -logVarianceRatio) * o.varianceDropGain;
    const step = index - 1;
    const uint16 = this.views.uint16;
    const levelsAt = (this.byteOffset + LEVELS_AT) >> 1;
    if (step % AGE_SWEEP_POINTS === 0) {
      ageLevels(uint16, step, levelsAt, LEVELS_LENGTH);
      ageLevels(uint16, step, (this.byteOffset + LAST_USE_AT) >> 1, PROTOTYPES);
    }
    const novelty = shapeNovelty(this.views, this.byteOffset, SHAPE_LAYOUT, step, value, slowMean, sd);

    const clip = o.clipSigmas * sd;
    const residual = Math.max(-clip, Math.min(clip, value - slowMean));
    const a = index <= 20 ? 1 / index : tuning.slowAlpha;
    s[b + Slot.SlowMean] = slowMean + a * residual;
    s[b + Slot.SlowVariance] = (1 - a) * (slowVariance + a * residual * residual);
    const va = index <= 20 ? 1 / index : tuning.varianceAlpha;
    s[b + Slot.FastVariance] = (1 - va) * (s[b + Slot.FastVariance] as number) + va * residual * residual;
    const sa = index <= 20 ? 1 / index : tuning.sustainedAlpha;
    s[b + Slot.SustainedVariance] =
      (1 - sa) * (s[b + Slot.SustainedVariance] as number) + sa * residual * residual;

    const shape = novelty * o.shapeGain;
    const spikeSurprise = spike * o.spikeGain;
    const shift = meanShift * o.meanShiftGain;
    if (step < o.warmupPoints) {
      // Scored 0 while warming up: the level tables learn, no score is worked out.
      recordReturnLevel(uint16, levelsAt, sustainedRise, step);
      recordReturnLevel(uint16, levelsAt + LEVEL_COUNT, varianceRise, step);
      recordReturnLevel(uint16, levelsAt + 2 * LEVEL_COUNT, shape, step);
      recordReturnLevel(uint16, levelsAt + 3 * LEVEL_COUNT, varianceDrop, step);
      recordReturnLevel(uint16, levelsAt + 4 * LEVEL_COUNT, spikeSurprise, step);
      recordReturnLevel(uint16, levelsAt + 5 * LEVEL_COUNT, shift, step);
      return 0;
    }
    const sustainedScore = returnPeriodScore(uint16, levelsAt, sustainedRise, step, o);
    const varianceScore = returnPeriodScore(uint16, levelsAt + LEVEL_COUNT, varianceRise, step, o);
    const shapeScore = returnPeriodScore(uint16, levelsAt + 2 * LEVEL_COUNT, shape, step, o);
    const dropScore = returnPeriodScore(uint16, levelsAt + 3 * LEVEL_COUNT, varianceDrop, step, o);
    const spikeScore = returnPeriodScore(uint16, levelsAt + 4 * LEVEL_COUNT, spikeSurprise, step, o);
    const shiftScore = returnPeriodScore(uint16, levelsAt + 5 * LEVEL_COUNT, shift, step, o);
    let score = Math.max(
      sustainedScore,
      varianceScore,
      shapeScore,
      dropScore,
      spikeScore,
      shiftScore,
      rangeScore,
    );
    const refractory = s[b + Slot.Refractory] as number;
    const quieted =
      refractory > 0 &&
      (refractory > o.repeatPoints - o.refractoryPoints || score < (s[b + Slot.LastAlarm] as number));
    if (refractory > 0) s[b + Slot.Refractory] = refractory - 1;
    if (quieted) {
      score *= 0.5;
    } else if (score >= o.alarmLevel) {
      s[b + Slot.Refractory] = o.repeatPoints;
      s[b + Slot.LastAlarm] = score;
    }
    return clampScore(score);
  }

  snapshot(): Uint8Array {
    return new Uint8Array(this.views.buffer.slice(this.byteOffset, this.byteOffset + SNAPSHOT_BYTES));
  }

  snapshotInto(into: Uint8Array, at: number): number {
    if (into.byteLength - at < SNAPSHOT_BYTES) return -1;
    into.set(this.views.uint8.subarray(this.byteOffset, this.byteOffset + SNAPSHOT_BYTES), at);
    return SNAPSHOT_BYTES;
  }

  release(): void {
    slabs.release({ views: this.views, byteOffset: this.byteOffset });
  }

  readingsSeen(): number {
    return this.views.float64[(this.byteOffset >> 3) + Slot.Count] as number;
  }

  firstTimestamp(): number {
    return this.views.float64[(this.byteOffset >> 3) + Slot.FirstTimestamp] as number;
  }

  /** The fast and slow means over `missed` readings evenly spaced from `from` to `to`, both excluded. */
  private fillGap(missed: number, from: number, to: number): void {
    const s = this.views.float64;
    const b = this.byteOffset >> 3;
    const { fastAlpha, slowAlpha, options } = this.tuning;
    const slowVariance = s[b + Slot.SlowVariance] as number;
    let fast = s[b + Slot.FastMean] as number;
    let slow = s[b + Slot.SlowMean] as number;
    const clip = options.clipSigmas * Math.sqrt(slowVariance + varianceFloor(slow));
    for (let j = 1; j <= missed; j++) {
      const x = from + ((to - from) * j) / (missed + 1);
      fast += fastAlpha * (x - fast);
      slow += slowAlpha * Math.max(-clip, Math.min(clip, x - slow));
    }
    s[b + Slot.FastMean] = fast;
    s[b + Slot.SlowMean] = slow;
  }

  /**
   * 1 when `raw` lies beyond the range seen so far by more than the margin (a share of the range,
   * and at least `minimumMargin`), else 0; widens the range.
   */
  private rangeRule(index: number, raw: number, minimumMargin: number): number {
    const s = this.views.float64;
    const b = this.byteOffset >> 3;
    const low = s[b + Slot.RangeLow] as number;
    const high = s[b + Slot.RangeHigh] as number;
    const o = this.tuning.options;
    const margin = Math.max(o.rangeMarginFraction * (high - low), minimumMargin);
    const beyond =
      o.rangeMarginFraction > 0 &&
      index > o.rangeWarmupPoints &&
      high > low &&
      (raw > high + margin || raw < low - margin);
    if (raw < low) s[b + Slot.RangeLow] = raw;
    if (raw > high) s[b + Slot.RangeHigh] = raw;
    return beyond ? 1 : 0;
  }

  /** Subtracts the hour-of-day profile when it fits clearly better than a flat mean; learns both. */
  private deseasonalise(timestampMillis: number, value: number): number {
    const s = this.views.float64;
    const b = this.byteOffset >> 3;
    const hour = (((Math.floor(timestampMillis / HOUR_MILLIS) % HOURS) + HOURS) % HOURS) | 0;
    const hourMeans = this.views.float32;
    const hourCounts = this.views.uint8;
    const meanAt = ((this.byteOffset + HOUR_MEANS_AT) >> 2) + hour;
    const countAt = this.byteOffset + HOUR_COUNTS_AT + hour;
    const count = hourCounts[countAt] as number;
    const hourMean = hourMeans[meanAt] as number;
    const overall = s[b + Slot.OverallMean] as number;
    // Not before a whole day has been watched: until then an hour's mean holds only this hour's
    // readings, a recent average rather than a profile, and it would be judged a perfect fit.
    const ready =
      count >= HOUR_READY_COUNT && timestampMillis - (s[b + Slot.FirstTimestamp] as number) >= DAY_MILLIS;
    const seasonal =
      ready &&
      (s[b + Slot.SeasonalVariance] as number) <
        SEASONAL_VARIANCE_RATIO * (s[b + Slot.PlainVariance] as number);
    const result = seasonal ? value - (hourMean - overall) : value;
    const plainError = value - overall;
    const profileError = value - (ready ? hourMean : overall);
    s[b + Slot.PlainVariance] =
      (1 - PROFILE_FIT_RATE) * (s[b + Slot.PlainVariance] as number) +
      PROFILE_FIT_RATE * plainError * plainError;
    s[b + Slot.SeasonalVariance] =
      (1 - PROFILE_FIT_RATE) * (s[b + Slot.SeasonalVariance] as number) +
      PROFILE_FIT_RATE * profileError * profileError;
    // A plain average until the EW mean's window is filled: an EW mean started at the first
    // reading keeps that reading's error for thousands of readings, and the profile test then
    // mistakes the error for a daily cycle.
    const overallRate = Math.max(OVERALL_RATE, 1 / (s[b + Slot.Count] as number));
    s[b + Slot.OverallMean] = overall + overallRate * (value - overall);
    const gap = timestampMillis - (s[b + Slot.LastTimestamp] as number);
    s[b + Slot.LastTimestamp] = timestampMillis;
    const rate =
      count < 10
        ? 1 / (count + 1)
        : Number.isNaN(gap)
          ? HOUR_RATE
          : -Math.expm1(Math.max(gap, 0) * HOUR_RATE_LOG_PER_MILLI);
    hourMeans[meanAt] = hourMean + rate * (value - hourMean);
    if (count < MAX_HOUR_COUNT) hourCounts[countAt] = count + 1;
    return result;
  }
}

/** The least variance a level is taken to have (a constant signal's zero would divide by zero). */
function varianceFloor(mean: number): number {
  return 1e-8 * (mean * mean + 1e-4);
}

/** Readings at most filled in over one gap: the slow mean has moved nine tenths of the way by then. */
const MAX_MISSED_READINGS = 1000;

/**
 * Readings a sensor missed before its `index`th, at `atMillis`: the time since its last reading
 * over its mean interval so far, less one (none when its first or last time is unknown), when at
 * least two were missed (jitter in a sensor's timing misses none).
 */
function missedReadings(firstMillis: number, lastMillis: number, index: number, atMillis: number): number {
  const interval = (lastMillis - firstMillis) / (index - 2);
  const gapMillis = atMillis - lastMillis;
  if (!(interval > 0 && Number.isFinite(interval) && gapMillis > 0)) return 0;
  const missed = Math.round(gapMillis / interval) - 1;
  return missed >= 2 ? Math.min(missed, MAX_MISSED_READINGS) : 0;
}

/**
 * A state in the 920-byte layout, moved into the current one: the last timestamp unknown (the next
 * reading's hourly mean learns at the five-minute rate), and the sensor taken as watched for a day.
 */
function upgrade(previous: Uint8Array): Uint8Array {
  const slotsEnd = Slot.LastTimestamp * 8;
  const bytes = new Uint8Array(SNAPSHOT_BYTES);
  bytes.set(previous.subarray(0, slotsEnd), 0);
  new Float64Array(bytes.buffer, slotsEnd, 2).set([Number.NaN, Number.NEGATIVE_INFINITY]);
  bytes.set(previous.subarray(slotsEnd), slotsEnd + 16);
  return bytes;
}
