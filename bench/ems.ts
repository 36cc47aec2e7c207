/**
 * Emergency-load benchmark: nearest-hospital vs expected-time ambulance
 * dispatch in the simulated default city over 200 seeds, plus a lighter-load
 * variant of the same city to show how the gain depends on crowding.
 * Prints one JSON line and writes bench/results/ems.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultCity } from '../src/core/ems/city.ts';
import { compareDispatch } from '../src/core/ems/comparison.ts';
import type { DispatchComparison } from '../src/core/ems/comparison.ts';
import type { SimulationSummary } from '../src/core/ems/summary.ts';
import { parseArgs } from 'node:util';
import { benchArguments } from './arguments.ts';

// No options: `--help` prints what this measures; anything else is refused.
benchArguments(import.meta.url, () => parseArgs({ options: {} }));

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const seeds = 200;
const round = (value: number): number => Math.round(value * 10000) / 10000;

function figures(s: SimulationSummary): Record<string, number | number[]> {
  return {
    patients: s.patients,
    doorToProviderLevels1to2MeanMinutes: round(s.doorToProviderLevels1to2.meanMinutes),
    doorToProviderLevels1to2P90Minutes: round(s.doorToProviderLevels1to2.p90Minutes),
    callToProviderAmbulanceLevels1to2MeanMinutes: round(s.callToProviderAmbulanceLevels1to2.meanMinutes),
    withinKtasTargetShare: round(s.withinTargetShare),
    withinKtasTargetShareByLevel: s.withinTargetShareByLevel.map(round),
    leftWithoutBeingSeenRate: round(s.leftWithoutBeingSeenRate),
    ambulanceTravelMeanMinutes: round(s.ambulanceTravel.meanMinutes),
    ambulanceTravelP90Minutes: round(s.ambulanceTravel.p90Minutes),
  };
}

function report(comparison: DispatchComparison): Record<string, unknown> {
  return {
    nearest: figures(comparison.nearest),
    ours: figures(comparison.expectedTime),
    doorToProviderLevels1to2Reduction: round(comparison.doorToProviderLevels1to2Reduction),
    seedsOursBetter: comparison.seedsOursBetter,
    lwbsNoWorse:
      comparison.expectedTime.leftWithoutBeingSeenRate <= comparison.nearest.leftWithoutBeingSeenRate,
    unaccountedPatients: comparison.unaccounted,
  };
}

const started = performance.now();
process.stderr.write(`ems bench: default city, ${seeds} seeds…\n`);
const busy = compareDispatch(defaultCity, seeds);
process.stderr.write(`ems bench: lighter load (walk-ins 8/h, ambulances 4/h), ${seeds} seeds…\n`);
const light = compareDispatch({ ...defaultCity, walkInsPerHour: 8, ambulancesPerHour: 4 }, seeds);
const result = {
  bench: 'ems',
  seeds,
  hoursPerSeed: defaultCity.durationHours,
  target: { doorToProviderLevels1to2Reduction: 0.3, lwbsNoWorse: true },
  defaultCity: report(busy),
  lighterLoad: report(light),
  elapsedMillis: Math.round(performance.now() - started),
};
const line = JSON.stringify(result);
await mkdir(path.resolve(repoRoot, 'bench/results'), { recursive: true });
await writeFile(path.resolve(repoRoot, 'bench/results/ems.json'), `${line}\n`);
process.stdout.write(`${line}\n`);
