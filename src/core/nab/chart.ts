import type { LabelledFile } from './windows.ts';

export interface ChartInput {
  title: string;
  values: ArrayLike<number>;
  scores: ArrayLike<number>;
  labels: LabelledFile;
  threshold: number;
}

const WIDTH = 1200;
const VALUE_HEIGHT = 220;
const SCORE_HEIGHT = 100;
const MARGIN = 30;
/** Plotted points per line at most; longer series are reduced to per-pixel minima and maxima. */
const MAX_COLUMNS = 1000;

/**
 * Draws one file as an SVG: the value (top), the anomaly score with the threshold (bottom), the
 * labelled windows (shaded), the probation period (grey) and the detections (red ticks).
 */
export function renderChart(input: ChartInput): string {
  const n = input.values.length;
  const x = (i: number): number => MARGIN + ((WIDTH - 2 * MARGIN) * i) / Math.max(1, n - 1);
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = input.values[i] as number;
    if (v < low) low = v;
    if (v > high) high = v;
  }
  const span = high > low ? high - low : 1;
  const valueY = (v: number): number => MARGIN + VALUE_HEIGHT * (1 - (v - low) / span);
  const scoreTop = MARGIN * 2 + VALUE_HEIGHT;
  const scoreY = (s: number): number => scoreTop + SCORE_HEIGHT * (1 - s);
  const height = scoreTop + SCORE_HEIGHT + MARGIN;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="white"/>`,
    `<text x="${MARGIN}" y="18">${escapeXml(input.title)} — value (top), anomaly score (bottom), windows shaded, detections red</text>`,
    `<rect x="${x(0)}" y="${MARGIN}" width="${x(input.labels.probationRows) - x(0)}" height="${height - 2 * MARGIN}" fill="#eeeeee"/>`,
  ];
  for (const w of input.labels.windows) {
    parts.push(
      `<rect x="${x(w.startRow).toFixed(1)}" y="${MARGIN}" width="${Math.max(1, x(w.endRow) - x(w.startRow)).toFixed(1)}" height="${height - 2 * MARGIN}" fill="#ffd8a8" opacity="0.7"/>`,
    );
  }
  parts.push(polyline(input.values, n, x, valueY, '#1c5fa8'));
  parts.push(polyline(input.scores, n, x, scoreY, '#2b8a3e'));
  const t = scoreY(input.threshold).toFixed(1);
  parts.push(
    `<line x1="${MARGIN}" x2="${WIDTH - MARGIN}" y1="${t}" y2="${t}" stroke="#868e96" stroke-dasharray="4 3"/>`,
  );
  for (let i = input.labels.probationRows; i < n; i++) {
    if ((input.scores[i] as number) >= input.threshold) {
      const px = x(i).toFixed(1);
      parts.push(
        `<line x1="${px}" x2="${px}" y1="${MARGIN}" y2="${MARGIN + VALUE_HEIGHT}" stroke="#e03131" stroke-width="1"/>`,
      );
    }
  }
  parts.push('</svg>\n');
  return parts.join('\n');
}

function polyline(
  series: ArrayLike<number>,
  n: number,
  x: (i: number) => number,
  y: (v: number) => number,
  colour: string,
): string {
  const step = Math.max(1, Math.ceil(n / MAX_COLUMNS));
  const points: string[] = [];
  for (let start = 0; start < n; start += step) {
    let low = Infinity;
    let high = -Infinity;
    for (let i = start; i < Math.min(n, start + step); i++) {
      const v = series[i] as number;
      if (v < low) low = v;
      if (v > high) high = v;
    }
    points.push(`${x(start).toFixed(1)},${y(high).toFixed(1)}`);
    if (low !== high) points.push(`${x(start).toFixed(1)},${y(low).toFixed(1)}`);
  }
  return `<polyline fill="none" stroke="${colour}" stroke-width="1" points="${points.join(' ')}"/>`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
