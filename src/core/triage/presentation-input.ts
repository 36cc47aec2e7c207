/**
 * Validates an untrusted object (an HTTP body, a message) as a presentation.
 * Every problem names the field, the value and the rule. Unknown fields are
 * rejected, so outcome fields (nurse level, diagnosis, …) cannot slip in.
 *
 * Vital signs are checked against what a living (or dying) patient can show,
 * not against the file reader's plausible ranges (`fields.ts`): those clean
 * recording errors out of a spreadsheet, while a request with HR 15 or SpO2 45
 * is the sickest patient of the day and must reach the rules. Absent or null
 * vital signs, and an absent or null department, are not measured / not known.
 */
import type { ArrivalMode, Department, MentalState, Presentation, Sex } from './presentation.ts';
import type { Range } from './fields.ts';
import { isRecord, unknownFields } from '../input-checks.ts';

/**
 * A refused field: its name, the value as sent (a JSON value; `null` when absent) and the rule.
 * A number JSON cannot hold (`1e400` parses as Infinity) is shown as text, `"Infinity"`.
 */
export type PresentationIssue = { field: string; value: unknown; rule: string };

const departments: readonly Department[] = ['local', 'regional'];
const sexes: readonly Sex[] = ['female', 'male'];
const arrivalModes: readonly ArrivalMode[] = [
  'walk',
  'public-ambulance',
  'private-vehicle',
  'private-ambulance',
  'other',
];
const mentalStates: readonly MentalState[] = ['alert', 'verbal', 'pain', 'unresponsive'];
// Physiologically possible values, from arrest (0) to the most extreme ever measured.
const possibleAge: Range = { min: 0, max: 120 };
const vitals = {
  painScore: { min: 0, max: 10 },
  systolicMmHg: { min: 0, max: 350 },
  diastolicMmHg: { min: 0, max: 250 },
  heartRatePerMinute: { min: 0, max: 350 },
  respiratoryRatePerMinute: { min: 0, max: 150 },
  temperatureCelsius: { min: 20, max: 46 },
  oxygenSaturationPercent: { min: 0, max: 100 },
} as const satisfies Record<string, Range>;
const known = [
  'department',
  'sex',
  'ageYears',
  'arrivalMode',
  'injury',
  'chiefComplaint',
  'mental',
  'pain',
  ...Object.keys(vitals),
];

export function parsePresentation(
  input: unknown,
): { ok: true; presentation: Presentation } | { ok: false; errors: PresentationIssue[] } {
  if (!isRecord(input))
    return { ok: false, errors: [{ field: '(body)', value: shown(input), rule: 'must be an object' }] };
  const record = input;
  const errors: PresentationIssue[] = [];
  const issue = (field: string, rule: string): void => {
    errors.push({ field, value: shown(record[field]), rule });
  };
  for (const field of unknownFields(record, known))
    issue(field, 'unknown field (not known at the door, or misspelt)');
  const oneOf = <T extends string>(field: string, allowed: readonly T[]): T => {
    const value = record[field];
    if (!allowed.includes(value as T)) issue(field, `must be one of ${allowed.join(', ')}`);
    return value as T;
  };
  const flag = (field: string): boolean => {
    if (typeof record[field] !== 'boolean') issue(field, 'must be true or false');
    return record[field] === true;
  };
  const measured = (field: keyof typeof vitals): number | null => {
    const value = record[field];
    if (value === undefined || value === null) return null;
    const range = vitals[field];
    // NRS pain is told in whole steps, 0 to 10: 7.5 is not a score a patient gives.
    const whole = field === 'painScore';
    const inRange = typeof value === 'number' && value >= range.min && value <= range.max;
    if (inRange && (!whole || Number.isInteger(value))) return value;
    issue(field, `must be null or a ${whole ? 'whole number' : 'number'} from ${range.min} to ${range.max}`);
    return null;
  };
  const age = record['ageYears'];
  if (typeof age !== 'number' || !(age >= possibleAge.min && age <= possibleAge.max))
    issue('ageYears', `must be a number from ${possibleAge.min} to ${possibleAge.max}`);
  const complaint = record['chiefComplaint'] ?? '';
  if (typeof complaint !== 'string' || complaint.length > 500)
    issue('chiefComplaint', 'must be text of at most 500 characters');
  const department =
    record['department'] === undefined || record['department'] === null
      ? undefined
      : oneOf('department', departments);
  const presentation: Presentation = {
    ...(department === undefined ? {} : { department }),
    sex: oneOf('sex', sexes),
    ageYears: age as number,
    arrivalMode: oneOf('arrivalMode', arrivalModes),
    injury: flag('injury'),
    chiefComplaint: String(complaint),
    mental: oneOf('mental', mentalStates),
    pain: flag('pain'),
    painScore: measured('painScore'),
    systolicMmHg: measured('systolicMmHg'),
    diastolicMmHg: measured('diastolicMmHg'),
    heartRatePerMinute: measured('heartRatePerMinute'),
    respiratoryRatePerMinute: measured('respiratoryRatePerMinute'),
    temperatureCelsius: measured('temperatureCelsius'),
    oxygenSaturationPercent: measured('oxygenSaturationPercent'),
  };
  errors.push(...contradictions(presentation, record));
  return errors.length > 0 ? { ok: false, errors } : { ok: true, presentation };
}

/**
 * A value as the error carries it: the value itself, as the other endpoints give it; a missing
 * field is `null` (JSON has no undefined), and a number JSON cannot hold is text (1e400 is Infinity).
 */
function shown(value: unknown): unknown {
  if (value === undefined) return null;
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

/**
 * Fields that each pass but contradict one another. The file reader drops such values with a
 * warning; a request is refused instead, so its sender can correct it.
 */
function contradictions(p: Presentation, record: Record<string, unknown>): PresentationIssue[] {
  const out: PresentationIssue[] = [];
  if (record['pain'] === false && p.painScore !== null && p.painScore > 0)
    out.push({
      field: 'pain/painScore',
      value: { pain: false, painScore: p.painScore },
      rule: 'a pain score above 0 needs pain true (no pain: painScore 0 or null)',
    });
  const sbp = p.systolicMmHg;
  const dbp = p.diastolicMmHg;
  if (sbp !== null && dbp !== null && (dbp > sbp || (dbp === sbp && sbp > 0)))
    out.push({
      field: 'systolicMmHg/diastolicMmHg',
      value: { systolicMmHg: sbp, diastolicMmHg: dbp },
      rule: 'the diastolic pressure must be below the systolic (both 0 when there is no pressure)',
    });
  return out;
}
