/**
 * Validates an untrusted object (an HTTP body, a message) as a presentation.
 * Every problem names the field, the value and the rule. Unknown fields are
 * rejected, so outcome fields (nurse level, diagnosis, …) cannot slip in.
 */
import type { ArrivalMode, Department, MentalState, Presentation, Sex } from './presentation.ts';
import type { FieldIssue } from './ktas-file.ts';
import { plausible } from './fields.ts';
import type { Range } from './fields.ts';

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
const vitals = {
  painScore: plausible.painScore,
  systolicMmHg: plausible.systolicMmHg,
  diastolicMmHg: plausible.diastolicMmHg,
  heartRatePerMinute: plausible.heartRatePerMinute,
  respiratoryRatePerMinute: plausible.respiratoryRatePerMinute,
  temperatureCelsius: plausible.temperatureCelsius,
  oxygenSaturationPercent: plausible.oxygenSaturationPercent,
} as const satisfies Record<string, Range>;
const known = new Set([
  'department',
  'sex',
  'ageYears',
  'arrivalMode',
  'injury',
  'chiefComplaint',
  'mental',
  'pain',
  ...Object.keys(vitals),
]);

export function parsePresentation(
  input: unknown,
): { ok: true; presentation: Presentation } | { ok: false; errors: FieldIssue[] } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [{ field: '(body)', value: String(input), rule: 'must be an object' }] };
  }
  const record = input as Record<string, unknown>;
  const errors: FieldIssue[] = [];
  const issue = (field: string, rule: string): void => {
    errors.push({ field, value: JSON.stringify(record[field]) ?? 'undefined', rule });
  };
  for (const field of Object.keys(record))
    if (!known.has(field)) issue(field, 'unknown field (not known at the door, or misspelt)');
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
    if (typeof value !== 'number' || !(value >= range.min && value <= range.max))
      issue(field, `must be null or a number from ${range.min} to ${range.max}`);
    return typeof value === 'number' ? value : null;
  };
  const age = record['ageYears'];
  if (typeof age !== 'number' || !(age >= plausible.ageYears.min && age <= plausible.ageYears.max))
    issue('ageYears', 'must be a number from 0 to 120');
  const complaint = record['chiefComplaint'] ?? '';
  if (typeof complaint !== 'string' || complaint.length > 500)
    issue('chiefComplaint', 'must be text of at most 500 characters');
  const department = record['department'] === undefined ? undefined : oneOf('department', departments);
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
  return errors.length > 0 ? { ok: false, errors } : { ok: true, presentation };
}
