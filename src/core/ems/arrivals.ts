/**
 * The patients of one simulated day, drawn from a seed before any dispatch
 * decision, so that every policy meets exactly the same patients.
 */
import type { Level } from '../triage/presentation.ts';
import type { CityConfig } from './city.ts';
import type { Location } from './hospital.ts';
import { exponential, logNormal, pickWeighted, seededRandom, standardNormal } from './random.ts';
import type { Random } from './random.ts';

export type SimulatedPatient = {
  id: string;
  /** Walk-in arrival at the door, or the ambulance call. */
  callMinutes: number;
  mode: 'walk-in' | 'ambulance';
  level: Level;
  location: Location;
  treatmentMinutes: number;
  /** Wait after which the patient leaves unseen; Infinity = never leaves. */
  patienceMinutes: number;
};

function poissonTimes(random: Random, perHour: number, durationMinutes: number): number[] {
  const times: number[] = [];
  if (perHour <= 0) return times;
  for (let t = exponential(random, 60 / perHour); t < durationMinutes; t += exponential(random, 60 / perHour))
    times.push(t);
  return times;
}

export function drawPatients(city: CityConfig, seed: number): SimulatedPatient[] {
  const random = seededRandom(seed);
  const durationMinutes = city.durationHours * 60;
  const calls = [
    ...poissonTimes(random, city.walkInsPerHour, durationMinutes).map((t) => ({
      t,
      mode: 'walk-in' as const,
    })),
    ...poissonTimes(random, city.ambulancesPerHour, durationMinutes).map((t) => ({
      t,
      mode: 'ambulance' as const,
    })),
  ].sort((a, b) => a.t - b.t);
  return calls.map((call, index) => {
    const mix = call.mode === 'walk-in' ? city.levelMixWalkIn : city.levelMixAmbulance;
    const level = (pickWeighted(random, mix) + 1) as Level;
    const location = {
      xKm: city.demandCentre.xKm + city.demandSpreadKm * standardNormal(random),
      yKm: city.demandCentre.yKm + city.demandSpreadKm * standardNormal(random),
    };
    const meanTreatment = city.treatmentMinutesByLevel[level - 1] ?? 30;
    const treatmentMinutes = logNormal(random, meanTreatment, city.treatmentCoefficientOfVariation);
    const patience = city.patienceMinutesByLevel[level - 1] ?? null;
    const patienceMinutes = patience === null ? Infinity : exponential(random, patience);
    return {
      id: `p${index}`,
      callMinutes: call.t,
      mode: call.mode,
      level,
      location,
      treatmentMinutes,
      patienceMinutes,
    };
  });
}
