import type { LabelledFile } from './windows.ts';

/** Formats epoch ms as NAB does: `YYYY-MM-DD HH:MM:SS` (UTC). */
export function formatNabTimestamp(millis: number): string {
  return new Date(millis).toISOString().slice(0, 19).replace('T', ' ');
}

/** A NAB-format result file: `timestamp,value,anomaly_score,label` (label 1 inside a window). */
export function formatResultsCsv(
  timestampsMillis: ArrayLike<number>,
  values: ArrayLike<number>,
  scores: ArrayLike<number>,
  labels: LabelledFile,
): string {
  const lines = ['timestamp,value,anomaly_score,label'];
  for (let i = 0; i < values.length; i++) {
    const label = (labels.windowOfRow[i] as number) >= 0 ? 1 : 0;
    lines.push(
      `${formatNabTimestamp(timestampsMillis[i] as number)},${values[i] as number},${scores[i] as number},${label}`,
    );
  }
  return lines.join('\n') + '\n';
}
