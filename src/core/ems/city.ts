/** A simulated city's emergency system: hospitals, demand and patient behaviour. */
import type { Hospital, Location } from './hospital.ts';
import { hospitalProblems } from './hospital.ts';

export type CityConfig = {
  hospitals: Hospital[];
  /** Hours during which patients arrive; the run continues until every patient is seen or has left. */
  durationHours: number;
  walkInsPerHour: number;
  ambulancesPerHour: number;
  /** Relative frequency of levels 1–5 among walk-ins and among ambulance arrivals. */
  levelMixWalkIn: number[];
  levelMixAmbulance: number[];
  /** Mean time a patient of level 1–5 occupies a treatment slot. */
  treatmentMinutesByLevel: number[];
  treatmentCoefficientOfVariation: number;
  /** Mean patience before leaving without being seen, by level; null = never leaves. */
  patienceMinutesByLevel: (number | null)[];
  /** Where patients are: normal around the centre with this spread (km, per axis). */
  demandCentre: Location;
  demandSpreadKm: number;
  speedKmPerHour: number;
  roadFactor: number;
};

/**
 * Level mix by arrival mode: counts of KTAS_expert levels 1–5 in
 * ../shared/data/ktas/train.csv (Moon et al. 2019), ambulance = arrival modes
 * 2 and 4 (public and private ambulance), walk-in = all other modes.
 */
export const ktasLevelCounts = {
  ambulance: [15, 92, 119, 58, 6],
  walkIn: [3, 62, 222, 263, 47],
} as const;

/** KTAS time-to-physician targets by level, minutes (level 1: immediately). */
export const ktasTargetMinutes = [0, 10, 30, 60, 120] as const;

/**
 * The default city: a dense centre served by one large central department
 * that is also the nearest for most of the population, and three smaller
 * departments on the edges.
 */
export const defaultCity: CityConfig = {
  hospitals: [
    {
      id: 'central',
      name: 'Central General',
      location: { xKm: 0, yKm: 0 },
      treatmentSpaces: 12,
      doctorsOnShift: 10,
    },
    {
      id: 'north',
      name: 'North District',
      location: { xKm: 2, yKm: 8 },
      treatmentSpaces: 6,
      doctorsOnShift: 5,
    },
    {
      id: 'east',
      name: 'East Community',
      location: { xKm: 9, yKm: -1 },
      treatmentSpaces: 6,
      doctorsOnShift: 5,
    },
    {
      id: 'south-west',
      name: 'South-West Regional',
      location: { xKm: -6, yKm: -6 },
      treatmentSpaces: 5,
      doctorsOnShift: 4,
    },
  ],
  durationHours: 24,
  walkInsPerHour: 11,
  ambulancesPerHour: 5,
  levelMixWalkIn: [...ktasLevelCounts.walkIn],
  levelMixAmbulance: [...ktasLevelCounts.ambulance],
  treatmentMinutesByLevel: [120, 90, 60, 35, 20],
  treatmentCoefficientOfVariation: 0.6,
  patienceMinutesByLevel: [null, null, 240, 150, 100],
  demandCentre: { xKm: 0, yKm: 0 },
  demandSpreadKm: 3.5,
  speedKmPerHour: 40,
  roadFactor: 1.3,
};

/**
 * Checks a city's figures; returns the problems, empty when valid. The types are trusted (a file is
 * checked against its schema before it becomes a `CityConfig`); this checks ranges and relations.
 */
/**
 * Each id given before, where it repeats: `index` and the `first` index that has it (ids that are
 * not text are skipped: a city file's entries are checked before their types are).
 */
export function repeatedIds(ids: readonly unknown[]): { index: number; first: number }[] {
  const first = new Map<string, number>();
  const repeated: { index: number; first: number }[] = [];
  ids.forEach((id, index) => {
    if (typeof id !== 'string') return;
    const earlier = first.get(id);
    if (earlier === undefined) first.set(id, index);
    else repeated.push({ index, first: earlier });
  });
  return repeated;
}

export function cityProblems(city: CityConfig): string[] {
  const problems: string[] = [];
  if (city.hospitals.length === 0) problems.push('hospitals: at least one is needed');
  const repeated = new Set(
    repeatedIds(city.hospitals.map((hospital) => hospital.id)).map(({ index }) => index),
  );
  city.hospitals.forEach((hospital, index) => {
    if (repeated.has(index)) problems.push(`hospitals[${index}].id '${hospital.id}' is repeated`);
    for (const problem of hospitalProblems(hospital))
      problems.push(`hospitals[${index}] (${hospital.id}): ${problem}`);
    // Walk-ins go to the nearest department, so every simulated department must be open.
    for (const key of ['treatmentSpaces', 'doctorsOnShift'] as const)
      if (hospital[key] === 0)
        problems.push(`hospitals[${index}] (${hospital.id}): ${key} 0 must be ≥ 1 in a simulated city`);
  });
  const finite = (value: number): boolean => Number.isFinite(value);
  for (const key of ['durationHours', 'speedKmPerHour', 'demandSpreadKm'] as const)
    if (!(city[key] > 0 && finite(city[key])))
      problems.push(`${key} ${city[key]} must be a finite number > 0`);
  if (!(city.roadFactor >= 1 && finite(city.roadFactor)))
    problems.push(`roadFactor ${city.roadFactor} must be a finite number ≥ 1`);
  for (const key of ['walkInsPerHour', 'ambulancesPerHour'] as const)
    if (!(city[key] >= 0 && finite(city[key])))
      problems.push(`${key} ${city[key]} must be a finite number ≥ 0`);
  for (const key of ['levelMixWalkIn', 'levelMixAmbulance'] as const) {
    const values = city[key];
    if (values.length !== 5 || values.some((value) => !(value >= 0 && finite(value))))
      problems.push(`${key} ${JSON.stringify(values)} must hold 5 finite numbers ≥ 0`);
    else if (!(values.reduce((sum, value) => sum + value, 0) > 0))
      problems.push(`${key} ${JSON.stringify(values)} must have a positive sum`);
  }
  const treatment = city.treatmentMinutesByLevel;
  if (treatment.length !== 5 || treatment.some((value) => !(value > 0 && finite(value))))
    problems.push(`treatmentMinutesByLevel ${JSON.stringify(treatment)} must hold 5 finite numbers > 0`);
  const patience = city.patienceMinutesByLevel;
  if (patience.length !== 5 || patience.some((value) => value !== null && !(value > 0)))
    problems.push(`patienceMinutesByLevel ${JSON.stringify(patience)} must hold 5 entries, each null or > 0`);
  if (!(city.treatmentCoefficientOfVariation >= 0 && finite(city.treatmentCoefficientOfVariation)))
    problems.push(`treatmentCoefficientOfVariation ${city.treatmentCoefficientOfVariation} must be ≥ 0`);
  const { xKm, yKm } = city.demandCentre;
  if (!finite(xKm) || !finite(yKm))
    problems.push(`demandCentre ${JSON.stringify(city.demandCentre)} must be {xKm, yKm} with finite numbers`);
  return problems;
}
