/**
 * Reading one numeric field of the KTAS export. Every kind of junk in the real
 * file is named here and turned into an explicit outcome:
 * - blank (`''`, e.g. SpO2 not measured)               -> missing
 * - `??` (value unknown to the recorder, e.g. RR)       -> missing
 * - a spreadsheet error such as `#BOÞ!` (Turkish Excel
 *   "#NULL!", in NRS_pain), `#N/A`, `#VALUE!`            -> missing
 * - decimal comma (`36,5`)                              -> 36.5
 * - anything else not a number                          -> invalid
 * - a number outside the plausible range                -> implausible
 */
export type NumberField =
  | { kind: 'value'; value: number }
  | { kind: 'missing'; why: 'blank' | 'unknown marker' | 'spreadsheet error' }
  | { kind: 'invalid'; why: string }
  | { kind: 'implausible'; value: number; why: string };

export type Range = { min: number; max: number };

const numberPattern = /^[+-]?(\d+([.,]\d*)?|[.,]\d+)$/;

export function readNumber(raw: string, range: Range): NumberField {
  const text = raw.trim();
  if (text === '') return { kind: 'missing', why: 'blank' };
  if (/^\?+$/.test(text)) return { kind: 'missing', why: 'unknown marker' };
  if (text.startsWith('#')) return { kind: 'missing', why: 'spreadsheet error' };
  if (!numberPattern.test(text)) return { kind: 'invalid', why: 'not a number' };
  const value = Number(text.replace(',', '.'));
  if (value < range.min || value > range.max) {
    return { kind: 'implausible', value, why: `outside the plausible range ${range.min}–${range.max}` };
  }
  return { kind: 'value', value };
}

/** Plausible ranges (adult and paediatric ED patients); values outside are recording errors. */
export const plausible = {
  ageYears: { min: 0, max: 120 },
  painScore: { min: 0, max: 10 },
  systolicMmHg: { min: 40, max: 300 },
  diastolicMmHg: { min: 20, max: 200 },
  heartRatePerMinute: { min: 20, max: 250 },
  respiratoryRatePerMinute: { min: 4, max: 70 },
  temperatureCelsius: { min: 30, max: 44 },
  oxygenSaturationPercent: { min: 50, max: 100 },
  code: { min: 0, max: 99 },
} as const satisfies Record<string, Range>;
