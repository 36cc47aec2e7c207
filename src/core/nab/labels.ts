import { parseTimestampMillis } from './timestamp.ts';
import type { WindowSpan } from './windows.ts';

export type LabelResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Parses labels/combined_windows.json: file → list of [start, end] timestamp pairs. */
export function parseWindowLabels(json: unknown): LabelResult<Map<string, WindowSpan[]>> {
  if (typeof json !== 'object' || json === null) return { ok: false, reason: 'windows: expected an object' };
  const out = new Map<string, WindowSpan[]>();
  for (const [file, list] of Object.entries(json)) {
    if (!Array.isArray(list)) return { ok: false, reason: `windows: '${file}' must be a list` };
    const spans: WindowSpan[] = [];
    for (const pair of list as unknown[]) {
      const start =
        Array.isArray(pair) && typeof pair[0] === 'string' ? parseTimestampMillis(pair[0]) : undefined;
      const end =
        Array.isArray(pair) && typeof pair[1] === 'string' ? parseTimestampMillis(pair[1]) : undefined;
      if (start === undefined || end === undefined || end < start) {
        return { ok: false, reason: `windows: '${file}' has an invalid window ${JSON.stringify(pair)}` };
      }
      spans.push({ startMillis: start, endMillis: end });
    }
    out.set(file, spans);
  }
  return { ok: true, value: out };
}

/** Parses labels/combined_labels.json: file → labelled anomaly points (epoch ms). */
export function parsePointLabels(json: unknown): LabelResult<Map<string, number[]>> {
  if (typeof json !== 'object' || json === null) return { ok: false, reason: 'labels: expected an object' };
  const out = new Map<string, number[]>();
  for (const [file, list] of Object.entries(json)) {
    if (!Array.isArray(list)) return { ok: false, reason: `labels: '${file}' must be a list` };
    const points: number[] = [];
    for (const item of list as unknown[]) {
      const millis = typeof item === 'string' ? parseTimestampMillis(item) : undefined;
      if (millis === undefined)
        return { ok: false, reason: `labels: '${file}' has an invalid timestamp ${JSON.stringify(item)}` };
      points.push(millis);
    }
    out.set(
      file,
      points.sort((a, b) => a - b),
    );
  }
  return { ok: true, value: out };
}

/** Parses results/final_results.json: detector → profile → normalised score. */
export function parseFinalResults(json: unknown): LabelResult<Map<string, Record<string, number>>> {
  if (typeof json !== 'object' || json === null)
    return { ok: false, reason: 'final results: expected an object' };
  const out = new Map<string, Record<string, number>>();
  for (const [detector, profiles] of Object.entries(json)) {
    if (typeof profiles !== 'object' || profiles === null)
      return { ok: false, reason: `final results: '${detector}' must be an object` };
    const scores: Record<string, number> = {};
    for (const [profile, value] of Object.entries(profiles)) {
      if (typeof value !== 'number')
        return { ok: false, reason: `final results: '${detector}.${profile}' must be a number` };
      scores[profile] = value;
    }
    out.set(detector, scores);
  }
  return { ok: true, value: out };
}
