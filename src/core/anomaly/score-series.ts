import type { DetectorSpec } from './detector.ts';

/** Streams one series through a fresh detector, one reading at a time; returns the scores. */
export function scoreSeries(
  spec: DetectorSpec,
  timestampsMillis: ArrayLike<number>,
  values: ArrayLike<number>,
): Float64Array {
  const detector = spec.create();
  const scores = new Float64Array(values.length);
  for (let i = 0; i < scores.length; i++)
    scores[i] = detector.update(timestampsMillis[i] as number, values[i] as number);
  return scores;
}
