/**
 * SUMO run on its own (no TraCI, so no port is opened and no private namespace is needed): its CPU
 * time on a scenario, and the trips of a run with every signal green.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loneRoutesXml, loneVehicleBound, parseRouteFile } from './lone-vehicle.ts';
import type { LoneTrip, LoneVehicleBound } from './lone-vehicle.ts';
import { allGreenProgramsXml, netFileOf, routeFilesOf } from './programs.ts';
import { sumoArguments } from './sumo-process.ts';
import type { SumoLaunchOptions } from './sumo-process.ts';
import { readTrips, speedFactorsOf, summariseTripinfo } from './tripinfo.ts';
import type { TripSummary } from './tripinfo.ts';

const sumoEnvironment = { ...process.env, SUMO_HOME: process.env.SUMO_HOME ?? '/usr/share/sumo' };

/** Figures in outputs with six decimals, not two: speed factors are read back from them. */
const precise = ['--precision', '6'];

function standaloneArguments(options: SumoLaunchOptions, steps: number): string[] {
  return [...sumoArguments(options), '--begin', '0', '--end', String(steps), '--xml-validation', 'never'];
}

/** Single-quotes `text` for bash. */
function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * CPU seconds (user + system) of `sumo -c SUMOCFG` for `steps` 1 s steps with the net's own
 * (static) program, loading included, read with bash's `times` builtin after SUMO exits (its second
 * line holds the children's user and system times). SUMO runs single-threaded.
 */
export function standaloneCpuSeconds(sumocfg: string, steps: number, seed: number): number {
  const command = ['sumo', ...standaloneArguments({ sumocfg, seed }, steps)].map(quote).join(' ');
  const output = execFileSync('bash', ['-c', `${command} >/dev/null 2>&1 || exit 1; times`], {
    encoding: 'utf8',
    env: sumoEnvironment,
  });
  const children = output.trim().split('\n')[1] ?? '';
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  const [user, system] = seconds;
  if (seconds.length !== 2 || user === undefined || system === undefined) {
    throw new Error(`could not read SUMO's CPU time from bash 'times' output: ${JSON.stringify(output)}`);
  }
  return user + system;
}

/**
 * Trips of a run in which every link of every signal is green throughout (see
 * `allGreenProgramsXml`), measured as sumo_reference.json measures (tripinfo, unfinished included),
 * with the speed factor of each vehicle that entered.
 */
export function allGreenTrips(
  sumocfg: string,
  steps: number,
  seed: number,
): TripSummary & { readonly speedFactors: Map<string, number> } {
  const workDirectory = mkdtempSync(join(tmpdir(), 'urban-brain-sumo-green-'));
  try {
    const programFile = join(workDirectory, 'all_green.add.xml');
    writeFileSync(programFile, allGreenProgramsXml(readFileSync(netFileOf(sumocfg), 'utf8'), steps));
    const tripinfoFile = join(workDirectory, 'tripinfo.xml');
    const options = { sumocfg, seed, additionalFiles: [programFile], tripinfoFile, extraArguments: precise };
    runSumo(standaloneArguments(options, steps));
    const xml = readFileSync(tripinfoFile, 'utf8');
    return { ...summariseTripinfo(xml), speedFactors: speedFactorsOf(readTrips(xml)) };
  } finally {
    rmSync(workDirectory, { recursive: true, force: true });
  }
}

/**
 * The lone-vehicle bound of a scenario (see lone-vehicle.ts): each vehicle of its route files that
 * departs before `steps` drives its route alone, every signal green, with the scenario's options
 * and seed, at the speed factor SUMO drew for it (`speedFactors`, read from a run of the scenario
 * with the same seed: SUMO draws them as it loads the routes, whatever the signals do). Departures
 * are `spacingSeconds` apart; if a lone trip takes that long or longer (it could have met the next
 * one), the runs are repeated with twice the spacing.
 */
export function loneVehicleTrips(
  sumocfg: string,
  steps: number,
  seed: number,
  speedFactors: ReadonlyMap<string, number>,
  spacingSeconds = 900,
): LoneVehicleBound {
  const files = routeFilesOf(sumocfg).map((file) => parseRouteFile(readFileSync(file, 'utf8'), file));
  const vehicles = files.flatMap((file) => file.vehicles).filter((vehicle) => vehicle.departSeconds < steps);
  const types = files.flatMap((file) => file.vehicleTypes);
  const netXml = readFileSync(netFileOf(sumocfg), 'utf8');
  const workDirectory = mkdtempSync(join(tmpdir(), 'urban-brain-sumo-lone-'));
  const programFile = join(workDirectory, 'all_green.add.xml');
  const routeFile = join(workDirectory, 'lone.rou.xml');
  const tripinfoFile = join(workDirectory, 'tripinfo.xml');
  const options = {
    sumocfg,
    seed,
    routeFiles: [routeFile],
    additionalFiles: [programFile],
    tripinfoFile,
    extraArguments: precise,
  };
  try {
    // A trip that takes longer than this alone is stuck, not slow.
    const longestSpacing = 8 * Math.max(steps, spacingSeconds);
    for (let spacing = spacingSeconds; ; spacing *= 2) {
      const end = (vehicles.length + 1) * spacing;
      writeFileSync(programFile, allGreenProgramsXml(netXml, end));
      writeFileSync(routeFile, loneRoutesXml(types, vehicles, speedFactors, spacing));
      runSumo(standaloneArguments(options, end));
      const trips = loneTrips(readFileSync(tripinfoFile, 'utf8'));
      if (trips.length !== vehicles.length) {
        throw new Error(
          `lone runs: ${trips.length} trips in the tripinfo output, expected ${vehicles.length}`,
        );
      }
      const slow = trips.find((trip) => !trip.finished || trip.durationSeconds >= spacing);
      if (slow === undefined) return loneVehicleBound(vehicles, trips, steps);
      if (spacing >= longestSpacing) {
        const vehicle = vehicles[slow.index]?.id ?? String(slow.index);
        throw new Error(`lone runs: vehicle ${vehicle} did not arrive within ${spacing} s driving alone`);
      }
    }
  } finally {
    rmSync(workDirectory, { recursive: true, force: true });
  }
}

/** Runs SUMO to its end; when it fails, the error carries what SUMO wrote on stderr. */
function runSumo(args: readonly string[]): void {
  const run = spawnSync('sumo', args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    env: sumoEnvironment,
  });
  if (run.error) throw new Error(`could not run sumo: ${run.error.message}`);
  if (run.status !== 0) {
    const said = (run.stderr ?? '').trim().split('\n').slice(-5).join(' | ');
    throw new Error(`sumo exited with ${run.status ?? run.signal}: ${said}`);
  }
}

/** The lone trips of tripinfo output, each with the index of its vehicle (its id: `lone<index>_<id>`). */
function loneTrips(xml: string): LoneTrip[] {
  return readTrips(xml).map((trip) => {
    const index = /^lone(\d+)_/.exec(trip.id)?.[1];
    if (index === undefined) throw new Error(`lone runs: a trip of vehicle ${trip.id}, not a lone copy`);
    return { ...trip, index: Number(index) };
  });
}
