import { earlyDetection } from './early.ts';
import type { EarlyDetection } from './early.ts';
import { descendingOrder, poolCorpus } from './pooled.ts';
import { NAB_PROFILES, PROFILE_NAMES } from './profiles.ts';
import type { CostMatrix, ProfileName } from './profiles.ts';
import { scoreAtThreshold, sweepThreshold } from './sweep.ts';
import type { ThresholdScore } from './sweep.ts';
import { labelFile } from './windows.ts';
import type { WindowSpan } from './windows.ts';

/** One file's detector output together with its ground truth. */
export interface EvaluatedFile {
  timestampsMillis: ArrayLike<number>;
  scores: ArrayLike<number>;
  windows: readonly WindowSpan[];
  labelPointsMillis: readonly number[];
}

/** A detector's NAB result: the best threshold and score per profile, and the standard-threshold figures. */
export interface CorpusEvaluation {
  profiles: Record<ProfileName, ThresholdScore>;
  early: EarlyDetection;
  /** False-positive rows at the standard profile's threshold. */
  falsePositiveRows: number;
  windowCount: number;
  /** Scores at the detector's own shipped threshold, when one was given (NAB sweeps instead). */
  atShippedThreshold?: Record<ProfileName, ThresholdScore>;
}

/** Scores a corpus of detector outputs: one sort, then one incremental sweep per profile. */
export function evaluateCorpus(
  files: readonly EvaluatedFile[],
  profiles: Record<ProfileName, CostMatrix> = NAB_PROFILES,
  shippedThreshold?: number,
): CorpusEvaluation {
  const labelled = files.map((file) => ({ ...file, labels: labelFile(file.timestampsMillis, file.windows) }));
  const pooled = poolCorpus(labelled);
  const order = descendingOrder(pooled.scores);
  const results = {} as Record<ProfileName, ThresholdScore>;
  for (const name of PROFILE_NAMES) results[name] = sweepThreshold(pooled, order, profiles[name]);
  const standard = results.standard;
  let atShippedThreshold: Record<ProfileName, ThresholdScore> | undefined;
  if (shippedThreshold !== undefined) {
    atShippedThreshold = {} as Record<ProfileName, ThresholdScore>;
    for (const name of PROFILE_NAMES)
      atShippedThreshold[name] = scoreAtThreshold(pooled, profiles[name], shippedThreshold);
  }
  return {
    atShippedThreshold,
    profiles: results,
    early: earlyDetection(labelled, standard.threshold),
    falsePositiveRows: standard.falsePositiveRows,
    windowCount: pooled.windowCount,
  };
}
