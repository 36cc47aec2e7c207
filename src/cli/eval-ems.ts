/**
 * `urban-brain eval ems [--seeds 200] [--config CITY.json] [--json]`
 *
 * Simulates a city's emergency departments with nearest-hospital ambulance
 * dispatch and with expected-time-to-treatment dispatch, over many seeds, and
 * prints door-to-provider times, KTAS target shares, LWBS and travel.
 * CITY.json holds any fields of the city configuration (see docs/triage.md);
 * the rest come from the default city. An unknown key or a bad value is refused
 * (exit 2), one line per problem.
 */
import { readFile } from 'node:fs/promises';
import type { CityConfig } from '../core/ems/city.ts';
import { defaultCity } from '../core/ems/city.ts';
import { compareDispatch } from '../core/ems/comparison.ts';
import type { DispatchComparison } from '../core/ems/comparison.ts';
import type { SimulationSummary } from '../core/ems/summary.ts';
import { maxPatientsPerRun, readCityFile } from './eval-ems-config.ts';
import { readOptions, wholeNumber } from './options.ts';

const usage = `usage: urban-brain eval ems [--seeds 200] [--config CITY.json] [--json]

Simulates a city's emergency departments with nearest-hospital and expected-time-to-treatment
ambulance dispatch, and prints door-to-provider times, KTAS target shares, LWBS and travel.
  --seeds N           simulated runs, a whole number >= 1 (default 200)
  --config CITY.json  fields of the city to override (docs/triage.md), the rest from the default
                      city; unknown keys and bad values are refused, one line each; at most
                      ${maxPatientsPerRun} expected patients per run
  --json              print the comparison as one JSON line instead of the table
Exit 0; 1 when a simulated patient is unaccounted for; 2 for a usage error or a bad city file.
`;

export async function run(args: string[]): Promise<number> {
  const read = readOptions(
    'eval ems',
    args,
    {
      seeds: { type: 'string', default: '200' },
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    usage,
  );
  if (!read.ok) return read.exitCode;
  const values = read.values;
  const seeds = wholeNumber(values.seeds);
  if (!Number.isInteger(seeds) || seeds < 1) {
    process.stderr.write(`eval ems: --seeds must be a whole number ≥ 1 (got '${values.seeds}')\n${usage}`);
    return 2;
  }
  let city: CityConfig = defaultCity;
  if (values.config !== undefined) {
    let text: string;
    try {
      text = await readFile(values.config, 'utf8');
    } catch (error) {
      process.stderr.write(`eval ems: ${values.config}: cannot read: ${(error as Error).message}\n`);
      return 2;
    }
    let raw: unknown;
    try {
      // A byte order mark (what some editors write first) is not part of the JSON.
      raw = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (error) {
      process.stderr.write(`eval ems: ${values.config}: not valid JSON: ${(error as Error).message}\n`);
      return 2;
    }
    const file = readCityFile(raw);
    if (!file.ok) {
      process.stderr.write(
        file.problems.map((problem) => `eval ems: ${values.config}: ${problem}\n`).join(''),
      );
      return 2;
    }
    city = file.city;
  }
  process.stderr.write(
    `eval ems: ${city.hospitals.length} hospitals, ${seeds} seeds × ${city.durationHours} h, both policies…\n`,
  );
  const comparison = compareDispatch(city, seeds);
  process.stdout.write(values.json ? `${JSON.stringify(comparison)}\n` : formatComparison(comparison));
  return comparison.unaccounted === 0 ? 0 : 1;
}

function formatComparison(comparison: DispatchComparison): string {
  const rows: [string, (s: SimulationSummary) => number, number][] = [
    ['patients', (s) => s.patients, 0],
    ['door-to-provider L1-2 mean (min)', (s) => s.doorToProviderLevels1to2.meanMinutes, 2],
    ['door-to-provider L1-2 p90 (min)', (s) => s.doorToProviderLevels1to2.p90Minutes, 2],
    ['call-to-provider L1-2 ambulance mean (min)', (s) => s.callToProviderAmbulanceLevels1to2.meanMinutes, 2],
    ['seen within KTAS target (share)', (s) => s.withinTargetShare, 3],
    ...[0, 1, 2, 3, 4].map((index): [string, (s: SimulationSummary) => number, number] => [
      `  level ${index + 1} within target`,
      (s) => s.withinTargetShareByLevel[index] ?? NaN,
      3,
    ]),
    ['left without being seen (rate)', (s) => s.leftWithoutBeingSeenRate, 4],
    ['ambulance travel mean (min)', (s) => s.ambulanceTravel.meanMinutes, 2],
    ['ambulance travel p90 (min)', (s) => s.ambulanceTravel.p90Minutes, 2],
  ];
  const lines = [
    `nearest-hospital vs expected-time dispatch, ${comparison.seeds} seeds`,
    '',
    `${'metric'.padEnd(44)}${'nearest'.padStart(10)}${'ours'.padStart(10)}`,
  ];
  for (const [name, pick, digits] of rows)
    lines.push(
      `${name.padEnd(44)}${pick(comparison.nearest).toFixed(digits).padStart(10)}${pick(comparison.expectedTime).toFixed(digits).padStart(10)}`,
    );
  lines.push(
    '',
    `door-to-provider L1-2 mean reduction: ${(100 * comparison.doorToProviderLevels1to2Reduction).toFixed(1)}% (ours better in ${comparison.seedsOursBetter} of ${comparison.seeds} seeds)`,
  );
  lines.push(`unaccounted patients: ${comparison.unaccounted}`);
  return `${lines.join('\n')}\n`;
}
