import type { ArrivalMode, Level, MentalState, Presentation } from '../../core/triage/presentation.ts';
import type { Random } from './random.ts';

/** What a patient of one true acuity looks like at the door: ranges drawn uniformly. */
interface AcuityProfile {
  /** Chief complaints, in words the triage engine's complaint lexicon knows. */
  complaints: readonly { text: string; injury: boolean }[];
  ageYears: readonly [number, number];
  mental: readonly MentalState[];
  painScore: readonly [number, number];
  systolicMmHg: readonly [number, number];
  heartRatePerMinute: readonly [number, number];
  respiratoryRatePerMinute: readonly [number, number];
  temperatureCelsius: readonly [number, number];
  oxygenSaturationPercent: readonly [number, number];
}

const ill = (text: string): { text: string; injury: boolean } => ({ text, injury: false });
const hurt = (text: string): { text: string; injury: boolean } => ({ text, injury: true });

/**
 * Profiles by true acuity (KTAS 1 resuscitation … 5 non-urgent). Level 1: failing airway,
 * breathing or circulation (low SpO2, extreme heart rate, low pressure, altered mental state);
 * level 2: high-risk complaints with danger-zone vitals; level 3: urgent, mildly abnormal vitals;
 * levels 4–5: normal vitals and minor complaints.
 */
const profiles: Readonly<Record<Level, AcuityProfile>> = {
  1: {
    complaints: [
      ill('chest pain'),
      ill('dyspnea'),
      ill('unconscious'),
      ill('seizure'),
      ill('cardiac arrest'),
    ],
    ageYears: [45, 90],
    mental: ['verbal', 'pain', 'unresponsive'],
    painScore: [6, 10],
    systolicMmHg: [55, 85],
    heartRatePerMinute: [135, 175],
    respiratoryRatePerMinute: [28, 44],
    temperatureCelsius: [35.2, 38.5],
    oxygenSaturationPercent: [72, 86],
  },
  2: {
    complaints: [
      ill('chest pain'),
      ill('dyspnea'),
      ill('left side weakness'),
      ill('seizure'),
      ill('hematemesis'),
      ill('confusion'),
    ],
    ageYears: [35, 88],
    mental: ['alert', 'alert', 'verbal'],
    painScore: [6, 9],
    systolicMmHg: [90, 175],
    heartRatePerMinute: [105, 135],
    respiratoryRatePerMinute: [22, 30],
    temperatureCelsius: [36.2, 38.8],
    oxygenSaturationPercent: [86, 93],
  },
  3: {
    complaints: [
      ill('abdominal pain'),
      ill('fever'),
      ill('headache'),
      ill('dizziness'),
      ill('vomiting'),
      ill('flank pain'),
      hurt('head injury'),
    ],
    ageYears: [18, 85],
    mental: ['alert'],
    painScore: [4, 7],
    systolicMmHg: [105, 160],
    heartRatePerMinute: [88, 110],
    respiratoryRatePerMinute: [18, 23],
    temperatureCelsius: [36.8, 39.4],
    oxygenSaturationPercent: [93, 97],
  },
  4: {
    complaints: [
      hurt('laceration'),
      hurt('ankle sprain'),
      ill('back pain'),
      ill('sore throat'),
      ill('cough'),
      hurt('wrist injury'),
      ill('ear pain'),
    ],
    ageYears: [8, 75],
    mental: ['alert'],
    painScore: [2, 5],
    systolicMmHg: [110, 140],
    heartRatePerMinute: [64, 92],
    respiratoryRatePerMinute: [14, 19],
    temperatureCelsius: [36.2, 37.6],
    oxygenSaturationPercent: [96, 100],
  },
  5: {
    complaints: [
      ill('medication refill'),
      ill('dressing change'),
      ill('rash'),
      ill('insect sting'),
      ill('lab results'),
      ill('tube change'),
    ],
    ageYears: [5, 70],
    mental: ['alert'],
    painScore: [0, 2],
    systolicMmHg: [110, 135],
    heartRatePerMinute: [60, 88],
    respiratoryRatePerMinute: [12, 18],
    temperatureCelsius: [36.2, 37.2],
    oxygenSaturationPercent: [97, 100],
  },
};

function pick<T>(values: readonly T[], random: Random): T {
  return values[random.index(values.length)] as T;
}

function draw(range: readonly [number, number], random: Random, decimals = 0): number {
  const scale = 10 ** decimals;
  return Math.round(random.between(range[0], range[1]) * scale) / scale;
}

/**
 * A plausible presentation at the door for a patient of true acuity `acuity` (hidden from the
 * platform, which sees only this), arriving by `arrivalMode`. Deterministic for a seeded `random`;
 * every value lies within the ranges `parsePresentation` accepts.
 */
export function synthesisePresentation(
  acuity: Level,
  arrivalMode: ArrivalMode,
  random: Random,
): Presentation {
  const profile = profiles[acuity];
  const complaint = pick(profile.complaints, random);
  const systolic = draw(profile.systolicMmHg, random);
  const painScore = draw(profile.painScore, random);
  return {
    sex: random.next() < 0.5 ? 'female' : 'male',
    ageYears: draw(profile.ageYears, random),
    arrivalMode,
    injury: complaint.injury,
    chiefComplaint: complaint.text,
    mental: pick(profile.mental, random),
    pain: painScore > 0,
    painScore,
    systolicMmHg: systolic,
    diastolicMmHg: Math.max(30, Math.round(systolic * random.between(0.55, 0.68))),
    heartRatePerMinute: draw(profile.heartRatePerMinute, random),
    respiratoryRatePerMinute: draw(profile.respiratoryRatePerMinute, random),
    temperatureCelsius: draw(profile.temperatureCelsius, random, 1),
    oxygenSaturationPercent: draw(profile.oxygenSaturationPercent, random),
  };
}
