/** City-level figures of one or more simulation runs. */
import type { PatientOutcome } from './simulation.ts';
import { ktasTargetMinutes } from './city.ts';

export type SimulationSummary = {
  patients: number;
  seen: number;
  leftWithoutBeingSeen: number;
  /** Door-to-provider minutes of seen level 1–2 patients. */
  doorToProviderLevels1to2: { count: number; meanMinutes: number; p90Minutes: number };
  /** Ambulance call to provider, minutes, of seen level 1–2 ambulance patients. */
  callToProviderAmbulanceLevels1to2: { count: number; meanMinutes: number; p90Minutes: number };
  /** Share of all patients seen within the KTAS target of their level (leaving unseen counts as a miss). */
  withinTargetShare: number;
  withinTargetShareByLevel: number[];
  leftWithoutBeingSeenRate: number;
  ambulanceTravel: { count: number; meanMinutes: number; p90Minutes: number };
};

/** Percentile by the nearest-rank method; NaN for no values. */
export function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[rank - 1] as number;
}

function describe(values: readonly number[]): { count: number; meanMinutes: number; p90Minutes: number } {
  const mean = values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
  return { count: values.length, meanMinutes: mean, p90Minutes: percentile(values, 0.9) };
}

/** Tolerance for "seen immediately" (level 1), minutes: floating-point noise only. */
const immediateMinutes = 1e-9;

export function summarise(outcomes: readonly PatientOutcome[]): SimulationSummary {
  const urgent: number[] = [];
  const urgentAmbulance: number[] = [];
  const travel: number[] = [];
  const within = [0, 0, 0, 0, 0];
  const byLevel = [0, 0, 0, 0, 0];
  let seen = 0;
  let left = 0;
  for (const outcome of outcomes) {
    const level = outcome.patient.level;
    byLevel[level - 1] = (byLevel[level - 1] ?? 0) + 1;
    if (outcome.patient.mode === 'ambulance') travel.push(outcome.travelMinutes);
    if (outcome.leftMinutes !== null) left++;
    if (outcome.seenMinutes === null) continue;
    seen++;
    const wait = outcome.seenMinutes - outcome.doorMinutes;
    if (level <= 2) urgent.push(wait);
    if (level <= 2 && outcome.patient.mode === 'ambulance')
      urgentAmbulance.push(outcome.seenMinutes - outcome.patient.callMinutes);
    if (wait <= (ktasTargetMinutes[level - 1] ?? 0) + immediateMinutes)
      within[level - 1] = (within[level - 1] ?? 0) + 1;
  }
  const n = outcomes.length;
  return {
    patients: n,
    seen,
    leftWithoutBeingSeen: left,
    doorToProviderLevels1to2: describe(urgent),
    callToProviderAmbulanceLevels1to2: describe(urgentAmbulance),
    withinTargetShare: n === 0 ? NaN : within.reduce((a, b) => a + b, 0) / n,
    withinTargetShareByLevel: within.map((count, index) =>
      (byLevel[index] ?? 0) === 0 ? NaN : count / (byLevel[index] ?? 1),
    ),
    leftWithoutBeingSeenRate: n === 0 ? NaN : left / n,
    ambulanceTravel: describe(travel),
  };
}
