import type { LabelledFile } from './windows.ts';

/** How many windows were first detected at or before their first labelled anomaly point. */
export interface EarlyDetection {
  earlyWindows: number;
  detectedWindows: number;
  windowCount: number;
  /** earlyWindows / windowCount. */
  rate: number;
}

export interface FileForEarlyDetection {
  labels: LabelledFile;
  timestampsMillis: ArrayLike<number>;
  scores: ArrayLike<number>;
  /** Labelled anomaly points of the file (epoch ms). */
  labelPointsMillis: readonly number[];
}

/**
 * A window counts as early when its first detection (score ≥ threshold, outside probation) is at
 * or before the row of the first labelled point inside it (NAB builds windows around these
 * points). A window that holds no labelled point uses its middle row instead.
 */
export function earlyDetection(files: readonly FileForEarlyDetection[], threshold: number): EarlyDetection {
  let earlyWindows = 0;
  let detectedWindows = 0;
  let windowCount = 0;
  for (const file of files) {
    for (const window of file.labels.windows) {
      windowCount++;
      let firstDetection = -1;
      for (let i = Math.max(window.startRow, file.labels.probationRows); i <= window.endRow; i++) {
        if ((file.scores[i] as number) >= threshold) {
          firstDetection = i;
          break;
        }
      }
      if (firstDetection < 0) continue;
      detectedWindows++;
      if (firstDetection <= labelRow(file, window.startRow, window.endRow)) earlyWindows++;
    }
  }
  return {
    earlyWindows,
    detectedWindows,
    windowCount,
    rate: windowCount === 0 ? 0 : earlyWindows / windowCount,
  };
}

/** Row of the first labelled point inside the window; the window's middle row when it holds none. */
function labelRow(file: FileForEarlyDetection, startRow: number, endRow: number): number {
  const times = file.timestampsMillis;
  let best = Math.floor((startRow + endRow) / 2);
  let found = false;
  for (const point of file.labelPointsMillis) {
    if (point < (times[startRow] as number) || point > (times[endRow] as number)) continue;
    for (let i = startRow; i <= endRow; i++) {
      if ((times[i] as number) >= point) {
        if (!found || i < best) best = i;
        found = true;
        break;
      }
    }
  }
  return best;
}
