/**
 * The numeric picture of one presentation that the learned model sees:
 * standardised vital signs with missing-value indicators (see `missingName`), clinical bands,
 * the rules' findings, the published KTAS modifiers, the complaint's target
 * encoding (computed by the caller from training rows only) and
 * chief-complaint words from a learned vocabulary.
 */
import { byAmbulance, type Presentation } from './presentation.ts';
import type { Finding } from './rules.ts';
import { complaintWords } from './complaints.ts';
import { complaintEncodingNames } from './complaint-encoding.ts';
import { ktasModifiers } from './ktas-modifiers.ts';

const ruleNames = [
  'unresponsive',
  'shock',
  'heart-rate-extreme',
  'respiratory-rate-extreme',
  'severe-hypoxia',
  'life-threat-complaint',
  'high-risk-complaint',
  'hypotension',
  'hypertensive-crisis',
  'hypoxia',
  'danger-heart-rate',
  'danger-respiratory-rate',
  'danger-saturation',
  'fever-sirs',
  'responds-to-pain',
  'responds-to-voice',
  'severe-pain',
  'moderate-pain',
  'resources-many',
] as const;

type Vital =
  | 'systolicMmHg'
  | 'diastolicMmHg'
  | 'heartRatePerMinute'
  | 'respiratoryRatePerMinute'
  | 'temperatureCelsius'
  | 'oxygenSaturationPercent';
const vitals: readonly Vital[] = [
  'systolicMmHg',
  'diastolicMmHg',
  'heartRatePerMinute',
  'respiratoryRatePerMinute',
  'temperatureCelsius',
  'oxygenSaturationPercent',
];

/** Typical adult values, used to centre and scale (fixed, so no statistics leak across folds). */
const centre: Record<Vital, { mean: number; scale: number }> = {
  systolicMmHg: { mean: 130, scale: 25 },
  diastolicMmHg: { mean: 80, scale: 15 },
  heartRatePerMinute: { mean: 85, scale: 15 },
  respiratoryRatePerMinute: { mean: 19, scale: 2 },
  temperatureCelsius: { mean: 36.7, scale: 0.6 },
  oxygenSaturationPercent: { mean: 97, scale: 3 },
};

/**
 * What a missing vital sign tells. A missing value is read as the typical one (z = 0); the
 * indicator says whether the gap itself is a sign. For a patient brought by ambulance or not
 * alert, a blank pressure, pulse, respiratory rate or temperature usually means it could not be
 * measured (arrest, resuscitation under way): the indicator is set. For an alert patient who came
 * on their own it only means nobody measured it yet, which at the door is a well patient: no
 * indicator, the typical value stands. SpO2 is not measured for about half of the patients of
 * every level, so its indicator is always set and learned from all of them.
 */
function missingName(vital: Vital): string {
  return vital === 'oxygenSaturationPercent' ? `${vital}-missing` : `${vital}-missing-unwell`;
}

/** Words of the complaint seen at least `minimumCount` times in the training set. */
export function learnVocabulary(complaints: readonly string[], minimumCount: number): string[] {
  const counts = new Map<string, number>();
  for (const complaint of complaints) {
    for (const word of new Set(complaintWords(complaint))) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return [...counts.entries()]
    .filter(([, count]) => count >= minimumCount)
    .map(([word]) => word)
    .sort();
}

export function featureNames(vocabulary: readonly string[]): string[] {
  const names = [
    'age',
    'age-65',
    'age-80',
    'male',
    'walk',
    'public-ambulance',
    'private-ambulance',
    'other-arrival',
    'injury',
  ];
  names.push(
    'mental-verbal',
    'mental-pain',
    'mental-unresponsive',
    'pain',
    'pain-score',
    'pain-score-missing',
  );
  names.push(
    'pain-moderate',
    'pain-severe',
    'injury-pain-moderate',
    'injury-pain-severe',
    'ambulance-not-injured',
  );
  for (const vital of vitals) names.push(vital, `${vital}-squared`, missingName(vital));
  names.push('complaint-missing', 'department-regional', 'department-local');
  for (const rule of ruleNames) names.push(`rule:${rule}`);
  for (const modifier of ['level', 'complaint', 'pain'])
    for (const level of [1, 2, 3, 4]) names.push(`modifier-${modifier}-at-most-${level}`);
  for (const name of complaintEncodingNames) names.push(`complaint-encoding:${name}`);
  for (const word of vocabulary) names.push(`word:${word}`);
  return names;
}

/** `encoding` is `encodeComplaint` of the patient, in `complaintEncodingNames` order. */
export function featureVector(
  p: Presentation,
  findings: readonly Finding[],
  vocabulary: readonly string[],
  encoding: readonly number[],
): Float64Array {
  const values: number[] = [
    (p.ageYears - 50) / 20,
    p.ageYears >= 65 ? 1 : 0,
    p.ageYears >= 80 ? 1 : 0,
    p.sex === 'male' ? 1 : 0,
    p.arrivalMode === 'walk' ? 1 : 0,
    p.arrivalMode === 'public-ambulance' ? 1 : 0,
    p.arrivalMode === 'private-ambulance' ? 1 : 0,
    p.arrivalMode === 'other' ? 1 : 0,
    p.injury ? 1 : 0,
    p.mental === 'verbal' ? 1 : 0,
    p.mental === 'pain' ? 1 : 0,
    p.mental === 'unresponsive' ? 1 : 0,
    p.pain ? 1 : 0,
    p.painScore === null ? 0 : (p.painScore - 3) / 2,
    p.painScore === null ? 1 : 0,
  ];
  const moderate = p.painScore !== null && p.painScore >= 4 && p.painScore < 8 ? 1 : 0;
  const severe = p.painScore !== null && p.painScore >= 8 ? 1 : 0;
  const ambulance = byAmbulance(p.arrivalMode);
  values.push(
    moderate,
    severe,
    p.injury ? moderate : 0,
    p.injury ? severe : 0,
    ambulance && !p.injury ? 1 : 0,
  );
  const unwell = p.mental !== 'alert' || ambulance;
  for (const vital of vitals) {
    const value = p[vital];
    const z =
      value === null ? 0 : Math.max(-5, Math.min(5, (value - centre[vital].mean) / centre[vital].scale));
    const telling = vital === 'oxygenSaturationPercent' || unwell;
    values.push(z, (z * z) / 4, value === null && telling ? 1 : 0);
  }
  values.push(
    p.chiefComplaint === '' ? 1 : 0,
    p.department === 'regional' ? 1 : 0,
    p.department === 'local' ? 1 : 0,
  );
  const fired = new Set(findings.map((finding) => finding.rule));
  for (const rule of ruleNames) values.push(fired.has(rule) ? 1 : 0);
  const modifiers = ktasModifiers(p);
  for (const level of [modifiers.level, modifiers.complaint, modifiers.pain])
    for (const bound of [1, 2, 3, 4]) values.push(level <= bound ? 1 : 0);
  complaintEncodingNames.forEach((name, index) => {
    const value = encoding[index] ?? 0;
    // Means are levels 1–5 (centred on 3), supports are log counts; shares stay 0–1.
    values.push(name.endsWith('-mean') ? value - 3 : name.endsWith('-support') ? value / 3 : value);
  });
  const words = new Set(complaintWords(p.chiefComplaint));
  for (const word of vocabulary) values.push(words.has(word) ? 1 : 0);
  return Float64Array.from(values);
}
