import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCadence } from '../../core/traffic/controller.ts';
import type { ControllerFactory, DecisionCadence } from '../../core/traffic/controller.ts';
import { trafficLightRequests } from './client.ts';
import { driveSimulation } from './drive.ts';
import type { DriveFigures } from './drive.ts';
import { readNetworkView } from './network-view.ts';
import type { NetworkView } from './network-view.ts';
import { adaptiveProgramsXml, isSumoProgram, netFileOf, referenceBounds } from './programs.ts';
import type { SumoProgram } from './programs.ts';
import type { YellowScope } from './signal-driver.ts';
import { startSumo } from './sumo-process.ts';
import { summariseTripinfo } from './tripinfo.ts';

export interface SumoRunOptions {
  readonly sumocfg: string;
  /** `static`, `actuated`, `delay_based` (SUMO's programs) or a name `controllerFactory` resolves. */
  readonly controller: string;
  readonly steps: number;
  readonly seed: number;
  /** Green phases offered to our controllers: the first N of the net's program (the field uses 4). */
  readonly phaseLimit?: number;
  readonly cadence?: DecisionCadence;
  /** Links a phase change turns yellow; default `all` (the field's setting). */
  readonly yellowScope?: YellowScope;
  readonly controllerFactory?: (name: string) => ControllerFactory | undefined;
  /** Aborting it stops SUMO; the run then fails and its work directory is removed. */
  readonly signal?: AbortSignal;
}

/** Figures for one controller; keys match `urban-brain eval traffic --json`. */
export interface SumoRunResult {
  readonly controller: string;
  readonly engine: 'sumo';
  /** Mean tripinfo duration, unfinished trips counted with their time so far (sumo_reference.json). */
  readonly att: number;
  /** CityFlow-only measure; not computed in SUMO. */
  readonly att_entering_lanes: null;
  readonly finished: number;
  readonly trips: number;
  /**
   * Mean over steps of halting vehicles (speed < 0.1 m/s) on an intersection's incoming lanes, per
   * intersection; null when no intersection has traffic lights (nothing to average, as in the
   * CityFlow-model engine).
   */
  readonly avg_queue: number | null;
  /** Mean tripinfo timeLoss per trip, seconds. */
  readonly avg_delay: number;
  readonly steps_per_s: number;
  readonly wall_seconds: number;
  readonly steps: number;
  readonly seed: number;
  /** Settings our controllers ran with (null for SUMO's own programs). */
  readonly phases: number | null;
  readonly decision_seconds: number | null;
  readonly yellow_seconds: number | null;
  readonly yellow_scope: YellowScope | null;
}

/**
 * Runs one controller in SUMO for `steps` 1 s steps and returns its figures. Must run inside a
 * private network namespace (see isolation.ts); `evaluateSumo` arranges that.
 */
export async function runSumo(options: SumoRunOptions): Promise<SumoRunResult> {
  const cadence = options.cadence ?? defaultCadence;
  const yellowScope = options.yellowScope ?? 'all';
  const program = isSumoProgram(options.controller) ? options.controller : undefined;
  const factory = program ? undefined : options.controllerFactory?.(options.controller);
  if (!program && !factory) throw new Error(`unknown controller "${options.controller}"`);
  const started = performance.now();
  const workDirectory = mkdtempSync(join(tmpdir(), 'urban-brain-sumo-'));
  try {
    const additionalFiles = adaptiveProgramFiles(options.sumocfg, program, workDirectory);
    const tripinfoFile = join(workDirectory, 'tripinfo.xml');
    const session = await startSumo({
      sumocfg: options.sumocfg,
      additionalFiles,
      seed: options.seed,
      tripinfoFile,
      signal: options.signal,
      extraArguments: ['--begin', '0', '--end', String(options.steps), '--xml-validation', 'never'],
    });
    let figures: DriveFigures;
    let network: NetworkView;
    try {
      const client = session.client;
      network = await readNetworkView(client, options.phaseLimit ?? 4);
      if (network.layouts.length === 0) {
        process.stderr.write(
          `sumo: warning: no intersection has signals to control (the network has no traffic lights); the controllers change nothing\n`,
        );
      }
      if (program && program !== 'static') {
        await client.exchange(network.layouts.map(({ id }) => trafficLightRequests.setProgram(id, program)));
      }
      figures = await driveSimulation(client, network, {
        steps: options.steps,
        cadence,
        yellowScope,
        controller: factory?.(network.layouts, cadence),
        onProgress: (time) => {
          if (time % 600 === 0)
            process.stderr.write(`sumo ${options.controller}: ${time}/${options.steps} s\n`);
        },
      });
    } finally {
      await session.stop();
    }
    const trips = summariseTripinfo(readFileSync(tripinfoFile, 'utf8'));
    return {
      controller: options.controller,
      engine: 'sumo',
      att: round(trips.averageTravelSeconds),
      att_entering_lanes: null,
      finished: trips.finished,
      trips: trips.trips,
      avg_queue:
        network.layouts.length === 0
          ? null
          : round(figures.queueVehicleSteps / (options.steps * network.layouts.length)),
      avg_delay: round(trips.averageTimeLossSeconds),
      steps_per_s: Math.round(options.steps / figures.loopSeconds),
      wall_seconds: round((performance.now() - started) / 1000),
      steps: options.steps,
      seed: options.seed,
      // 0 with no traffic light, as the CityFlow-model engine reports (Math.max() alone is -Infinity).
      phases: factory ? Math.max(0, ...network.layouts.map((layout) => layout.phases.length)) : null,
      decision_seconds: factory ? cadence.decisionSeconds : null,
      yellow_seconds: factory ? cadence.yellowSeconds : null,
      yellow_scope: factory ? yellowScope : null,
    };
  } finally {
    rmSync(workDirectory, { recursive: true, force: true });
  }
}

function adaptiveProgramFiles(
  sumocfg: string,
  program: SumoProgram | undefined,
  workDirectory: string,
): string[] {
  if (program !== 'actuated' && program !== 'delay_based') return [];
  const file = join(workDirectory, `${program}.add.xml`);
  writeFileSync(
    file,
    adaptiveProgramsXml(readFileSync(netFileOf(sumocfg), 'utf8'), program, referenceBounds),
  );
  return [file];
}

/** Two decimals, as `eval traffic` prints its figures. */
function round(value: number): number {
  return Math.round(value * 100) / 100;
}
