import type { LabelledFile } from './windows.ts';

/** The scorable rows of a whole corpus (probation excluded), concatenated file after file. */
export interface PooledCorpus {
  scores: Float64Array;
  /** Corpus-wide window id of each row, −1 outside every window. */
  windowOfRow: Int32Array;
  sigmoidOfRow: Float64Array;
  windowCount: number;
}

export interface ScoredFile {
  labels: LabelledFile;
  /** One anomaly score per row, in [0, 1]. */
  scores: ArrayLike<number>;
}

/** Concatenates the scorable rows of every file. Throws on a length mismatch (a bug, not an input). */
export function poolCorpus(files: readonly ScoredFile[]): PooledCorpus {
  let total = 0;
  for (const file of files) {
    if (file.scores.length !== file.labels.rowCount) {
      throw new Error(`scores (${file.scores.length}) and rows (${file.labels.rowCount}) differ in length`);
    }
    total += file.labels.rowCount - file.labels.probationRows;
  }
  const scores = new Float64Array(total);
  const windowOfRow = new Int32Array(total);
  const sigmoidOfRow = new Float64Array(total);
  let offset = 0;
  let windowBase = 0;
  for (const { labels, scores: fileScores } of files) {
    for (let i = labels.probationRows; i < labels.rowCount; i++) {
      const local = labels.windowOfRow[i] as number;
      scores[offset] = fileScores[i] as number;
      windowOfRow[offset] = local < 0 ? -1 : windowBase + local;
      sigmoidOfRow[offset] = labels.sigmoidOfRow[i] as number;
      offset++;
    }
    windowBase += labels.windows.length;
  }
  return { scores, windowOfRow, sigmoidOfRow, windowCount: windowBase };
}

/** Row indices ordered by descending score; computed once and shared by every profile. */
export function descendingOrder(scores: Float64Array): Uint32Array {
  const order = new Uint32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => (scores[b] as number) - (scores[a] as number));
}
