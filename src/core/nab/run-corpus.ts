import type { DetectorSpec } from '../anomaly/detector.ts';
import { scoreSeries } from '../anomaly/score-series.ts';
import { evaluateCorpus } from './evaluate.ts';
import type { CorpusEvaluation } from './evaluate.ts';
import type { WindowSpan } from './windows.ts';

export interface CorpusSeries {
  key: string;
  timestampsMillis: Float64Array;
  values: Float64Array;
}

export interface CorpusRun {
  scores: Float64Array[];
  evaluation: CorpusEvaluation;
  points: number;
  /** Time spent inside the detector only (file reading and scoring excluded). */
  detectorMillis: number;
  pointsPerSecond: number;
}

/**
 * Streams every series through a fresh detector and scores the outputs against NAB's labels.
 * `nowMillis` is the clock used for the throughput figure; `onProgress` sees each finished file.
 */
export function runDetectorOnCorpus(
  spec: DetectorSpec,
  series: readonly CorpusSeries[],
  windows: ReadonlyMap<string, WindowSpan[]>,
  labelPoints: ReadonlyMap<string, number[]>,
  nowMillis: () => number,
  onProgress: (done: number, total: number, key: string) => void = () => {},
): CorpusRun {
  const scores: Float64Array[] = [];
  let points = 0;
  let detectorMillis = 0;
  series.forEach((item, index) => {
    const start = nowMillis();
    scores.push(scoreSeries(spec, item.timestampsMillis, item.values));
    detectorMillis += nowMillis() - start;
    points += item.values.length;
    onProgress(index + 1, series.length, item.key);
  });
  const evaluation = evaluateCorpus(
    series.map((item, index) => ({
      timestampsMillis: item.timestampsMillis,
      scores: scores[index] as Float64Array,
      windows: windows.get(item.key) ?? [],
      labelPointsMillis: labelPoints.get(item.key) ?? [],
    })),
    undefined,
    spec.threshold,
  );
  const pointsPerSecond = detectorMillis > 0 ? (points * 1000) / detectorMillis : Infinity;
  return { scores, evaluation, points, detectorMillis, pointsPerSecond };
}
