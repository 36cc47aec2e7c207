import type { PooledCorpus } from './pooled.ts';
import type { CostMatrix } from './profiles.ts';
import { MAX_TRUE_POSITIVE_WEIGHT } from './sigmoid.ts';

/** The outcome of scoring a corpus at one threshold. Row counts follow NAB (rows, not events). */
export interface ThresholdScore {
  threshold: number;
  rawScore: number;
  /** 100·(raw − null)/(perfect − null): 0 for the null detector, 100 for the perfect one. */
  normalisedScore: number;
  truePositiveRows: number;
  falsePositiveRows: number;
  detectedWindows: number;
}

/** NAB's first threshold: above every score, so nothing is detected. */
export const START_THRESHOLD = 1.1;

/**
 * Finds the threshold that maximises the pooled NAB score: every distinct score is tried, from
 * the highest down, updating the score incrementally (one pass over `order`). A detection is a
 * row with score ≥ threshold; only the earliest detection in a window counts; ties between
 * thresholds go to the higher one.
 */
export function sweepThreshold(corpus: PooledCorpus, order: Uint32Array, cost: CostMatrix): ThresholdScore {
  const { scores, windowOfRow, sigmoidOfRow, windowCount } = corpus;
  const windowPart = new Float64Array(windowCount).fill(-cost.fnWeight);
  const inWindowScale = cost.tpWeight / MAX_TRUE_POSITIVE_WEIGHT;
  let total = -cost.fnWeight * windowCount;
  let truePositives = 0;
  let falsePositives = 0;
  let detected = 0;
  let best = result(START_THRESHOLD, total, 0, 0, 0, windowCount, cost);
  let k = 0;
  while (k < order.length) {
    const threshold = scores[order[k] as number] as number;
    while (k < order.length && scores[order[k] as number] === threshold) {
      const row = order[k] as number;
      const window = windowOfRow[row] as number;
      if (window < 0) {
        falsePositives++;
        total += (sigmoidOfRow[row] as number) * cost.fpWeight;
      } else {
        truePositives++;
        const value = (sigmoidOfRow[row] as number) * inWindowScale;
        const part = windowPart[window] as number;
        if (value > part) {
          if (part === -cost.fnWeight) detected++;
          total += value - part;
          windowPart[window] = value;
        }
      }
      k++;
    }
    if (total > best.rawScore) {
      best = result(threshold, total, truePositives, falsePositives, detected, windowCount, cost);
    }
  }
  return best;
}

/** Scores the corpus at one given threshold (detection = score ≥ threshold). */
export function scoreAtThreshold(corpus: PooledCorpus, cost: CostMatrix, threshold: number): ThresholdScore {
  const { scores, windowOfRow, sigmoidOfRow, windowCount } = corpus;
  const windowPart = new Float64Array(windowCount).fill(-cost.fnWeight);
  const inWindowScale = cost.tpWeight / MAX_TRUE_POSITIVE_WEIGHT;
  let falseTotal = 0;
  let truePositives = 0;
  let falsePositives = 0;
  for (let row = 0; row < scores.length; row++) {
    if ((scores[row] as number) < threshold) continue;
    const window = windowOfRow[row] as number;
    if (window < 0) {
      falsePositives++;
      falseTotal += (sigmoidOfRow[row] as number) * cost.fpWeight;
    } else {
      truePositives++;
      windowPart[window] = Math.max(
        windowPart[window] as number,
        (sigmoidOfRow[row] as number) * inWindowScale,
      );
    }
  }
  let total = falseTotal;
  let detected = 0;
  for (const part of windowPart) {
    total += part;
    if (part !== -cost.fnWeight) detected++;
  }
  return result(threshold, total, truePositives, falsePositives, detected, windowCount, cost);
}

/** Normalises a raw score against the null (−windows·fn) and perfect (windows·tp) detectors. */
export function normaliseScore(rawScore: number, windowCount: number, cost: CostMatrix): number {
  const nullScore = -windowCount * cost.fnWeight;
  const perfect = windowCount * cost.tpWeight;
  return (100 * (rawScore - nullScore)) / (perfect - nullScore);
}

function result(
  threshold: number,
  rawScore: number,
  truePositiveRows: number,
  falsePositiveRows: number,
  detectedWindows: number,
  windowCount: number,
  cost: CostMatrix,
): ThresholdScore {
  const normalisedScore = normaliseScore(rawScore, windowCount, cost);
  return { threshold, rawScore, normalisedScore, truePositiveRows, falsePositiveRows, detectedWindows };
}
