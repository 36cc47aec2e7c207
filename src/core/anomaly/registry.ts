import type { DetectorSpec } from './detector.ts';
import { GaussianDetector } from './gaussian.ts';
import { DEFAULT_RARITY_OPTIONS, FIRST_RARITY_OPTIONS, RarityDetector } from './rarity.ts';
import { DEFAULT_SURPRISE_OPTIONS, SurpriseDetector } from './surprise.ts';

/** Threshold of the default detector, chosen once on the NAB corpus (see docs/detectors.md). */
export const DEFAULT_THRESHOLD = DEFAULT_RARITY_OPTIONS.alarmLevel;

export const DEFAULT_DETECTOR_NAME = 'rarity';

/**
 * Readings a new sensor needs before its alarms are trustworthy (NAB's probation is the same
 * 750). Earlier alarms come from a model that is still learning the sensor's normal behaviour;
 * the live path should hold them back or mark them provisional.
 */
export const LEARNING_POINTS = 750;

/**
 * Time a new sensor is watched before its alarms are trusted, however often it reports: three
 * daily cycles. A sensor read every minute passes 750 readings after half a day, before it has seen
 * its day once, and its first days' cycle would otherwise raise false alarms (docs/detectors.md).
 */
export const LEARNING_SPAN_MILLIS = 3 * 86_400_000;

const rarity: DetectorSpec = {
  name: 'rarity',
  summary:
    'spike, variance and shape surprises calibrated by their return period, plus a range rule; fused by maximum',
  threshold: DEFAULT_THRESHOLD,
  create: () => new RarityDetector(DEFAULT_RARITY_OPTIONS),
  restore: (bytes) => RarityDetector.restore(bytes, DEFAULT_RARITY_OPTIONS),
};

const rarityFirst: DetectorSpec = {
  name: 'rarity-v1',
  summary: 'the first rarity configuration (mean shift instead of the range rule), kept for comparison',
  threshold: FIRST_RARITY_OPTIONS.alarmLevel,
  create: () => new RarityDetector(FIRST_RARITY_OPTIONS),
  restore: (bytes) => RarityDetector.restore(bytes, FIRST_RARITY_OPTIONS),
};

const surprise: DetectorSpec = {
  name: 'surprise',
  summary:
    'level and step z-scores judged by their long-run Gaussian tail probability (anomaly-likelihood style)',
  threshold: 0.5,
  create: () => new SurpriseDetector(DEFAULT_SURPRISE_OPTIONS),
  restore: (bytes) => SurpriseDetector.restore(bytes, DEFAULT_SURPRISE_OPTIONS),
};

const gaussian: DetectorSpec = {
  name: 'gaussian',
  summary: 'baseline: Gaussian tail probability of the reading against an EW mean and variance',
  threshold: 0.9999,
  create: () => new GaussianDetector(),
  restore: (bytes) => GaussianDetector.restore(bytes),
};

/** Every detector configuration that can be named on the command line. */
export const DETECTORS: ReadonlyMap<string, DetectorSpec> = new Map(
  [rarity, rarityFirst, surprise, gaussian].map((spec) => [spec.name, spec]),
);

/** The detector `DEFAULT_DETECTOR_NAME` names. */
export const DEFAULT_DETECTOR: DetectorSpec = rarity;

/** Looks a detector up by name. */
export function findDetector(name: string): DetectorSpec | undefined {
  return DETECTORS.get(name);
}
