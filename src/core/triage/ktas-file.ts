/**
 * Parses a patient file in the format of the KTAS export (Moon et al. 2019):
 * columns found by name, `;` or `,` separated, nurse/expert/outcome columns
 * optional. Each data row becomes a value: a usable presentation (with
 * warnings for fields treated as not measured) or a list of errors.
 */
import type { ArrivalMode, Department, Level, MentalState, Presentation, Sex } from './presentation.ts';
import { isLevel } from './presentation.ts';
import type { NumberField, Range } from './fields.ts';
import { plausible, readNumber } from './fields.ts';
import { splitRecords } from '../csv.ts';
import { detectDelimiter } from './text.ts';
import { ownValue } from '../input-checks.ts';

/** A problem with one field of one row: the field, the raw value and the rule. */
export type FieldIssue = { field: string; value: string; rule: string };

/** Labels kept apart from the presentation: used only for evaluation and training. */
export type Labels = { nurseLevel: Level | null; expertLevel: Level | null };

export type RowResult =
  | {
      ok: true;
      row: number;
      line: number;
      presentation: Presentation;
      labels: Labels;
      warnings: FieldIssue[];
    }
  | { ok: false; row: number; line: number; errors: FieldIssue[] };

/** `labels`: which label columns the header has (a file of new patients has neither). */
export type FileResult =
  | { ok: true; rows: RowResult[]; labels: { nurse: boolean; expert: boolean } }
  | { ok: false; reason: string };

const columnNames = {
  group: ['group'],
  sex: ['sex'],
  age: ['age'],
  arrival: ['arrivalmode'],
  injury: ['injury'],
  complaint: ['chiefcomplain', 'chiefcomplaint'],
  mental: ['mental'],
  pain: ['pain'],
  painScore: ['nrspain'],
  sbp: ['sbp'],
  dbp: ['dbp'],
  hr: ['hr'],
  rr: ['rr'],
  bt: ['bt'],
  spo2: ['saturation', 'spo2'],
  nurse: ['ktasrn'],
  expert: ['ktasexpert'],
} as const;

type Column = keyof typeof columnNames;
const optionalColumns: readonly Column[] = ['group', 'nurse', 'expert'];

function normalise(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function locateColumns(
  header: string[],
): { ok: true; index: Record<Column, number> } | { ok: false; reason: string } {
  const normalised = header.map(normalise);
  const index = {} as Record<Column, number>;
  const missing: string[] = [];
  for (const column of Object.keys(columnNames) as Column[]) {
    const names = columnNames[column] as readonly string[];
    const found = normalised.flatMap((name, position) => (names.includes(name) ? [position] : []));
    if (found.length > 1) {
      const shown = found.map((position) => `'${header[position]}' (column ${position + 1})`);
      return { ok: false, reason: `header names ${names[0]} more than once: ${shown.join(', ')}` };
    }
    if (found.length === 0 && !optionalColumns.includes(column)) missing.push(columnNames[column][0]);
    index[column] = found[0] ?? -1;
  }
  if (missing.length > 0)
    return { ok: false, reason: `header lacks required column(s): ${missing.join(', ')}` };
  return { ok: true, index };
}

export function parseKtasText(text: string): FileResult {
  // The header is the first line that is not blank (blank lines are skipped as records are split).
  const firstLine = /[^\r\n]*\S[^\r\n]*/.exec(text)?.[0] ?? '';
  const split = splitRecords(text, detectDelimiter(firstLine));
  if (!split.ok) return { ok: false, reason: `line ${split.line}: ${split.reason}` };
  const records = split.records;
  const header = records[0];
  if (header === undefined) return { ok: false, reason: 'file is empty: no header line' };
  const located = locateColumns(header.fields);
  if (!located.ok) return located;
  const rows = records
    .slice(1)
    .map((record, row) => parseRow(record.fields, row, record.line, header.fields, located.index));
  const labels = { nurse: located.index.nurse >= 0, expert: located.index.expert >= 0 };
  return { ok: true, rows, labels };
}

const departmentCodes: Record<string, Department> = { '1': 'local', '2': 'regional' };
const sexCodes: Record<string, Sex> = { '1': 'female', '2': 'male' };
const arrivalCodes: Record<string, ArrivalMode> = {
  '1': 'walk',
  '2': 'public-ambulance',
  '3': 'private-vehicle',
  '4': 'private-ambulance',
  '5': 'other',
  '6': 'other',
  '7': 'other',
};
const mentalCodes: Record<string, MentalState> = {
  '1': 'alert',
  '2': 'verbal',
  '3': 'pain',
  '4': 'unresponsive',
};
const yesNoInjury: Record<string, boolean> = { '1': false, '2': true };
const yesNoPain: Record<string, boolean> = { '0': false, '1': true };

function parseRow(
  fields: string[],
  row: number,
  line: number,
  header: string[],
  index: Record<Column, number>,
): RowResult {
  const errors: FieldIssue[] = [];
  const warnings: FieldIssue[] = [];
  const raw = (column: Column): string => (index[column] < 0 ? '' : (fields[index[column]] ?? ''));
  const name = (column: Column): string => header[index[column]] ?? columnNames[column][0];
  if (fields.length !== header.length) {
    const rule = `has ${fields.length} fields, the header has ${header.length}`;
    return { ok: false, row, line, errors: [{ field: '(row)', value: fields.join(';').slice(0, 60), rule }] };
  }
  const code = <T>(column: Column, codes: Record<string, T>): T | undefined => {
    const value = ownValue(codes, raw(column).trim());
    if (value === undefined) {
      errors.push({
        field: name(column),
        value: raw(column),
        rule: `must be one of ${Object.keys(codes).join(', ')}`,
      });
    }
    return value;
  };
  const vital = (column: Column, range: Range): number | null => {
    const outcome = readNumber(raw(column), range);
    if (outcome.kind === 'value') return outcome.value;
    warnings.push({
      field: name(column),
      value: raw(column),
      rule: `${describe(outcome)}; treated as not measured`,
    });
    return null;
  };
  const department = ownValue(departmentCodes, raw('group').trim());
  if (department === undefined && raw('group').trim() !== '')
    warnings.push({
      field: name('group'),
      value: raw('group'),
      rule: 'must be 1 or 2; treated as not known',
    });
  const sex = code('sex', sexCodes);
  const arrivalMode = code('arrival', arrivalCodes);
  const injury = code('injury', yesNoInjury);
  const mental = code('mental', mentalCodes);
  const pain = code('pain', yesNoPain);
  const age = readNumber(raw('age'), plausible.ageYears);
  if (age.kind !== 'value') errors.push({ field: name('age'), value: raw('age'), rule: describe(age) });
  const recordedPainScore = readPainScore(raw('painScore'), pain, name('painScore'), warnings);
  // What the HTTP API refuses as a contradiction; the file reader drops the score with a warning.
  const painless = pain === false && recordedPainScore !== null && recordedPainScore > 0;
  if (painless)
    warnings.push({
      field: `${name('pain')}/${name('painScore')}`,
      value: `${raw('pain')}/${raw('painScore')}`,
      rule: 'implausible: a pain score above 0 with no pain; the score treated as not recorded',
    });
  const painScore = painless ? null : recordedPainScore;
  const presentationVitals = {
    systolicMmHg: vital('sbp', plausible.systolicMmHg),
    diastolicMmHg: vital('dbp', plausible.diastolicMmHg),
    heartRatePerMinute: vital('hr', plausible.heartRatePerMinute),
    respiratoryRatePerMinute: vital('rr', plausible.respiratoryRatePerMinute),
    temperatureCelsius: vital('bt', plausible.temperatureCelsius),
    oxygenSaturationPercent: vital('spo2', plausible.oxygenSaturationPercent),
  };
  checkPulsePressure(presentationVitals, name('sbp'), name('dbp'), raw('sbp'), raw('dbp'), warnings);
  const complaint = raw('complaint').trim();
  if (
    errors.length > 0 ||
    sex === undefined ||
    arrivalMode === undefined ||
    injury === undefined ||
    mental === undefined ||
    pain === undefined ||
    age.kind !== 'value'
  ) {
    return { ok: false, row, line, errors };
  }
  const presentation: Presentation = {
    ...(department === undefined ? {} : { department }),
    sex,
    ageYears: age.value,
    arrivalMode,
    injury,
    chiefComplaint: /^\?+$/.test(complaint) ? '' : complaint,
    mental,
    pain,
    painScore,
    ...presentationVitals,
  };
  return { ok: true, row, line, presentation, labels: readLabels(raw('nurse'), raw('expert')), warnings };
}

function describe(outcome: NumberField): string {
  if (outcome.kind === 'missing') return `missing (${outcome.why})`;
  if (outcome.kind === 'invalid') return outcome.why;
  if (outcome.kind === 'implausible') return `implausible: ${outcome.why}`;
  return 'valid';
}

/**
 * NRS is blank or a spreadsheet error when the patient reports no pain: that means 0. A score
 * that is not a whole number is not recorded (with a warning).
 */
function readPainScore(
  raw: string,
  pain: boolean | undefined,
  field: string,
  warnings: FieldIssue[],
): number | null {
  const outcome = readNumber(raw, plausible.painScore);
  // NRS is told in whole steps, as the HTTP API requires: `7,5` is a recording error.
  if (outcome.kind === 'value' && Number.isInteger(outcome.value)) return outcome.value;
  if (pain === false && outcome.kind === 'missing') return 0;
  const why =
    outcome.kind === 'value' ? 'not a whole number (NRS is 0–10 in whole steps)' : describe(outcome);
  warnings.push({ field, value: raw, rule: `${why}; treated as not recorded` });
  return null;
}

/** A diastolic pressure at or above the systolic is a recording error: both are dropped. */
function checkPulsePressure(
  vitals: { systolicMmHg: number | null; diastolicMmHg: number | null },
  sbpName: string,
  dbpName: string,
  sbpRaw: string,
  dbpRaw: string,
  warnings: FieldIssue[],
): void {
  if (vitals.systolicMmHg === null || vitals.diastolicMmHg === null) return;
  if (vitals.diastolicMmHg < vitals.systolicMmHg) return;
  const rule = 'implausible: diastolic pressure not below systolic; both treated as not measured';
  warnings.push({ field: `${sbpName}/${dbpName}`, value: `${sbpRaw}/${dbpRaw}`, rule });
  vitals.systolicMmHg = null;
  vitals.diastolicMmHg = null;
}

function readLabels(nurse: string, expert: string): Labels {
  const level = (text: string): Level | null => {
    const value = Number(text.trim());
    return text.trim() !== '' && isLevel(value) ? value : null;
  };
  return { nurseLevel: level(nurse), expertLevel: level(expert) };
}

/** One line per warning, for a person: `row 12: RR '??': missing (unknown marker); treated as not measured`. */
export function formatWarning(row: number, issue: FieldIssue): string {
  return `row ${row}: ${issue.field} '${issue.value}': ${issue.rule}`;
}

/** Every warning of the usable rows, in row order, as `formatWarning` lines. */
export function warningLines(rows: readonly RowResult[]): string[] {
  return rows.flatMap((row) => (row.ok ? row.warnings.map((issue) => formatWarning(row.row, issue)) : []));
}

/** One line for a person: `row 12 (line 14), field RR, value '??': missing (unknown marker); …`. */
export function formatIssue(row: number, line: number, issue: FieldIssue): string {
  return `row ${row} (line ${line}), field ${issue.field}, value '${issue.value}': ${issue.rule}`;
}
