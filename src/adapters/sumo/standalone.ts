/**
 * SUMO run on its own (no TraCI, so no port is opened and no private namespace is needed): its CPU
 * time on a scenario, and the trips of a run with every signal green.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allGreenProgramsXml, netFileOf } from './programs.ts';
import { sumoArguments } from './sumo-process.ts';
import type { SumoLaunchOptions } from './sumo-process.ts';
import { summariseTripinfo } from './tripinfo.ts';
import type { TripSummary } from './tripinfo.ts';

const sumoEnvironment = { ...process.env, SUMO_HOME: process.env.SUMO_HOME ?? '/usr/share/sumo' };

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
 * `allGreenProgramsXml`), measured as sumo_reference.json measures (tripinfo, unfinished included).
 */
export function allGreenTrips(sumocfg: string, steps: number, seed: number): TripSummary {
  const workDirectory = mkdtempSync(join(tmpdir(), 'urban-brain-sumo-green-'));
  try {
    const programFile = join(workDirectory, 'all_green.add.xml');
    writeFileSync(programFile, allGreenProgramsXml(readFileSync(netFileOf(sumocfg), 'utf8'), steps));
    const tripinfoFile = join(workDirectory, 'tripinfo.xml');
    const args = standaloneArguments({ sumocfg, seed, additionalFiles: [programFile], tripinfoFile }, steps);
    execFileSync('sumo', args, { stdio: 'ignore', env: sumoEnvironment });
    return summariseTripinfo(readFileSync(tripinfoFile, 'utf8'));
  } finally {
    rmSync(workDirectory, { recursive: true, force: true });
  }
}
