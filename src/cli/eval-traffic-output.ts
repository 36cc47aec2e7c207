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

/** What the table needs to know before its first row: the controllers to come and the run's settings. */
export interface TableShape {
  readonly names: readonly string[];
  readonly settings: Settings;
}

/** Narrowest figure column: wide enough for '12345.67', so rows line up without knowing later rows. */
const figureWidth = 8;

/** The run's settings as one line above the table, in the JSON keys' names. */
function settingsLine(settings: Settings): string {
  const fields = settingsFields(settings);
  const scope = settings.yellowScope === undefined ? '' : ` yellow_scope=${settings.yellowScope}`;
  return `settings: steps=${fields.steps} seed=${fields.seed} decision_seconds=${fields.decision_seconds} yellow_seconds=${fields.yellow_seconds}${scope}`;
}

/** `controller_settings` as `key=value,...` ('-' for a controller without settings). */
function controllerSettingsCell(row: Row): string {
  const values = row.controller_settings as Readonly<Record<string, number>> | undefined;
  if (values === undefined) return '-';
  return Object.entries(values)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

/**
 * Prints each row as soon as its controller finishes, so that what finished is on stdout even when
 * the run is stopped or a later controller fails. `--json`: one object per line; otherwise an
 * aligned table ('-' for null or absent) under a line of the run's settings, both printed with
 * the first row. Column widths come from the header, the controller names and `figureWidth`, as
 * later rows are not known yet; `controller_settings`, of varying length, is the last column.
 */
export function rowPrinter(json: boolean, shape: TableShape): (row: Row) => void {
  if (json) return (row) => process.stdout.write(`${JSON.stringify(row)}\n`);
  const columns = [
    'controller',
    'att',
    'att_entering_lanes',
    'finished',
    'avg_queue',
    'avg_delay',
    'steps_per_s',
    'phases',
  ];
  if (shape.settings.emergency.length > 0) {
    columns.push(
      'emergency_finished_without',
      'emergency_tt_without',
      'emergency_finished_with',
      'emergency_tt_with',
      'others_att_without',
      'others_att_with',
    );
  }
  if (shape.names.some((name) => name.startsWith('actuated-pressure'))) columns.push('controller_settings');
  const widths = columns.map((column, k) =>
    Math.max(column.length, ...(k === 0 ? shape.names.map((name) => name.length) : [figureWidth])),
  );
  const line = (cells: readonly string[]): void => {
    const text = cells.map((cell, k) => cell.padEnd(widths[k]!)).join('  ');
    process.stdout.write(`${text.trimEnd()}\n`);
  };
  let headed = false;
  return (row) => {
    if (!headed) {
      process.stdout.write(`${settingsLine(shape.settings)}\n`);
      line(columns);
    }
    headed = true;
    line(
      columns.map((column) =>
        column === 'controller_settings' ? controllerSettingsCell(row) : String(row[column] ?? '-'),
      ),
    );
  };
}
