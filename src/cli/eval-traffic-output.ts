/** Rows of `urban-brain eval traffic`: the settings every row carries, and printing (table or JSON lines). */
import type { Settings } from './eval-traffic-options.ts';

/** One controller's figures; keys as documented in docs/traffic.md. */
export type Row = Record<string, unknown> & { controller: string };

/** The run's settings as row fields. */
export function settingsFields(settings: Settings): Record<string, number | null> {
  return {
    steps: settings.steps,
    seed: settings.seed,
    phases: settings.phases,
    decision_seconds: settings.cadence.decisionSeconds,
    yellow_seconds: settings.cadence.yellowSeconds,
  };
}

/** Two decimals, as every figure is printed. */
export function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Mean rounded to two decimals; null for no values (nothing to average is not 0 s). */
export function meanOrNull(values: readonly number[]): number | null {
  return values.length === 0 ? null : round(values.reduce((a, b) => a + b, 0) / values.length);
}

/** `--json`: one object per row per line; otherwise an aligned table ('-' for null or absent). */
export function print(rows: readonly Row[], json: boolean): void {
  if (json) {
    for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
    return;
  }
  const columns = [
    'controller',
    'att',
    'att_entering_lanes',
    'finished',
    'avg_queue',
    'avg_delay',
    'steps_per_s',
  ];
  if (rows.some((r) => 'emergency_tt_with' in r)) {
    columns.push(
      'emergency_finished_without',
      'emergency_tt_without',
      'emergency_finished_with',
      'emergency_tt_with',
      'others_att_without',
      'others_att_with',
    );
  }
  const lines = [columns, ...rows.map((r) => columns.map((c) => String(r[c] ?? '-')))];
  const widths = columns.map((_, k) => Math.max(...lines.map((l) => l[k]!.length)));
  for (const line of lines) {
    process.stdout.write(
      `${line
        .map((cell, k) => cell.padEnd(widths[k]!))
        .join('  ')
        .trimEnd()}\n`,
    );
  }
}
