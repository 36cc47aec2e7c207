import { scaledSigmoid } from './sigmoid.ts';

/** One labelled anomaly window, inclusive bounds in epoch milliseconds. */
export interface WindowSpan {
  startMillis: number;
  endMillis: number;
}

/** Row bounds of one window inside a file, inclusive. */
export interface WindowRows {
  startRow: number;
  endRow: number;
}

/** What NAB's scorer needs to know about each row of one data file. */
export interface LabelledFile {
  rowCount: number;
  /** Rows [0, probationRows) are never scored. */
  probationRows: number;
  windows: WindowRows[];
  /** Index into `windows` of the window holding each row, −1 outside every window. */
  windowOfRow: Int32Array;
  /**
   * NAB's unweighted scaled-sigmoid value of a detection at each row: in (0, 0.987] inside a
   * window (earlier is larger), in [−1, 0) outside (−1 before the first window and far past one).
   */
  sigmoidOfRow: Float64Array;
}

/** NAB 1.x probationary period: 15 % of the file, at most 750 rows. */
export function probationRowCount(rowCount: number): number {
  return Math.min(Math.floor(0.15 * rowCount), 750);
}

/**
 * Maps windows onto rows as NAB does: a window opens at the first row whose timestamp equals its
 * start and closes at the first row whose timestamp equals its end. (NAB files may repeat or step
 * back in time, so this is a scan, not a binary search.) Unaligned bounds fall back to the first
 * row at or after the start and the last row at or before the end.
 */
export function labelFile(timestampsMillis: ArrayLike<number>, windows: readonly WindowSpan[]): LabelledFile {
  const rowCount = timestampsMillis.length;
  const sorted = [...windows].sort((a, b) => a.startMillis - b.startMillis);
  const rows: WindowRows[] = [];
  for (const span of sorted) {
    const startRow = findStartRow(timestampsMillis, span.startMillis);
    const endRow = findEndRow(timestampsMillis, span.endMillis);
    if (startRow <= endRow) rows.push({ startRow, endRow });
  }
  const windowOfRow = new Int32Array(rowCount).fill(-1);
  const sigmoidOfRow = new Float64Array(rowCount);
  let next = 0;
  let previous: WindowRows | undefined;
  for (let i = 0; i < rowCount; i++) {
    const current = rows[next];
    if (current !== undefined && i >= current.startRow) {
      const width = current.endRow - current.startRow + 1;
      windowOfRow[i] = next;
      // NAB: position = −(right − i + 1) / width, so the left edge is −1.
      sigmoidOfRow[i] = scaledSigmoid(-(current.endRow - i + 1) / width);
      if (i === current.endRow) {
        previous = current;
        next++;
      }
    } else if (previous === undefined) {
      sigmoidOfRow[i] = -1;
    } else {
      const width = previous.endRow - previous.startRow + 1;
      sigmoidOfRow[i] = width <= 1 ? -1 : scaledSigmoid((i - previous.endRow) / (width - 1));
    }
  }
  return { rowCount, probationRows: probationRowCount(rowCount), windows: rows, windowOfRow, sigmoidOfRow };
}

function findStartRow(timestamps: ArrayLike<number>, startMillis: number): number {
  let firstAfter = -1;
  for (let i = 0; i < timestamps.length; i++) {
    const t = timestamps[i] as number;
    if (t === startMillis) return i;
    if (t > startMillis && firstAfter < 0) firstAfter = i;
  }
  return firstAfter < 0 ? timestamps.length : firstAfter;
}

function findEndRow(timestamps: ArrayLike<number>, endMillis: number): number {
  let lastBefore = -1;
  for (let i = 0; i < timestamps.length; i++) {
    const t = timestamps[i] as number;
    if (t === endMillis) return i;
    if (t < endMillis) lastBefore = i;
  }
  return lastBefore;
}
