/**
 * Nearest-hospital dispatch against expected-time dispatch on the same
 * patients (common random numbers: seed s draws the same patients for both).
 */
import type { CityConfig } from './city.ts';
import type { DispatchPolicy, PatientOutcome } from './simulation.ts';
import { simulate } from './simulation.ts';
import type { SimulationSummary } from './summary.ts';
import { summarise } from './summary.ts';

export type DispatchComparison = {
  seeds: number;
  nearest: SimulationSummary;
  expectedTime: SimulationSummary;
  /** 1 - ours/nearest for mean door-to-provider of levels 1–2, pooled over seeds. */
  doorToProviderLevels1to2Reduction: number;
  /** Seeds in which ours had the lower mean door-to-provider for levels 1–2. */
  seedsOursBetter: number;
  /** Patients that arrived but were neither seen nor recorded as leaving (must be 0). */
  unaccounted: number;
};

export function compareDispatch(city: CityConfig, seeds: number, firstSeed = 1): DispatchComparison {
  const pooled: Record<DispatchPolicy, PatientOutcome[]> = { nearest: [], 'expected-time': [] };
  let seedsOursBetter = 0;
  let unaccounted = 0;
  for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
    const means: Record<DispatchPolicy, number> = { nearest: NaN, 'expected-time': NaN };
    for (const policy of ['nearest', 'expected-time'] as const) {
      const outcomes = simulate(city, policy, seed);
      unaccounted += outcomes.filter(
        (outcome) => (outcome.seenMinutes === null) === (outcome.leftMinutes === null),
      ).length;
      means[policy] = summarise(outcomes).doorToProviderLevels1to2.meanMinutes;
      for (const outcome of outcomes) pooled[policy].push(outcome);
    }
    if (means['expected-time'] < means.nearest) seedsOursBetter++;
  }
  const nearest = summarise(pooled.nearest);
  const expectedTime = summarise(pooled['expected-time']);
  return {
    seeds,
    nearest,
    expectedTime,
    doorToProviderLevels1to2Reduction:
      1 - expectedTime.doorToProviderLevels1to2.meanMinutes / nearest.doorToProviderLevels1to2.meanMinutes,
    seedsOursBetter,
    unaccounted,
  };
}
