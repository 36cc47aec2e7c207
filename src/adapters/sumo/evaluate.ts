import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DecisionCadence } from '../../core/traffic/controller.ts';
import { resolveController } from './controllers.ts';
import { isPrivateNetwork, runIsolated } from './isolation.ts';
import { isSumoProgram } from './programs.ts';
import { runSumo } from './run.ts';
import type { YellowScope } from './signal-driver.ts';
import type { SumoRunResult } from './run.ts';

export interface EvaluateSumoOptions {
  readonly sumocfg: string;
  /** SUMO's `static`, `actuated`, `delay_based`, or names of our controllers. */
  readonly controllers: readonly string[];
  readonly steps: number;
  readonly seed: number;
  /** Green phases offered to our controllers (first N of the net's program); default 4. */
  readonly phaseLimit?: number;
  /** Decision cadence of our controllers; default the field's 15 s incl. 5 s yellow. */
  readonly cadence?: DecisionCadence;
  /** Links a phase change turns yellow: `all` (default, the field's setting) or only the `ending` ones. */
  readonly yellowScope?: YellowScope;
}

export type { SumoRunResult };

/**
 * Runs each controller in SUMO for `steps` 1 s steps and returns one result per controller, in
 * order; each is also passed to `onResult` as soon as its controller finishes. SUMO and its TraCI client run together in a private network namespace (`unshare -rn`):
 * the TraCI port SUMO opens on all interfaces is unreachable from outside that namespace.
 */
export async function evaluateSumo(
  options: EvaluateSumoOptions,
  onResult: (result: SumoRunResult) => void = () => undefined,
): Promise<SumoRunResult[]> {
  const sumocfg = resolve(options.sumocfg);
  if (!existsSync(sumocfg)) throw new Error(`SUMO configuration ${sumocfg} does not exist`);
  if (!Number.isInteger(options.steps) || options.steps <= 0) {
    throw new Error(`steps must be a positive integer, got ${options.steps}`);
  }
  for (const controller of options.controllers) {
    if (!isSumoProgram(controller) && !resolveController(controller)) {
      throw new Error(`unknown controller "${controller}" for SUMO`);
    }
  }
  const request = { ...options, sumocfg };
  if (isPrivateNetwork()) return runControllers(request, undefined, onResult);
  const worker = fileURLToPath(new URL('./worker.ts', import.meta.url));
  // The worker prints one result per line as each controller finishes.
  const forward = (value: unknown): void => onResult(value as SumoRunResult);
  return (await runIsolated(worker, request, forward)) as SumoRunResult[];
}

/**
 * Runs the controllers one after another in this network namespace (progress on stderr), passing
 * each result to `onResult` as it comes. Aborting `signal` stops the SUMO run in progress and
 * starts no other; the promise then rejects.
 */
export async function runControllers(
  options: EvaluateSumoOptions,
  signal?: AbortSignal,
  onResult: (result: SumoRunResult) => void = () => undefined,
): Promise<SumoRunResult[]> {
  const results: SumoRunResult[] = [];
  for (const controller of options.controllers) {
    signal?.throwIfAborted();
    process.stderr.write(`sumo: running ${controller} on ${options.sumocfg}\n`);
    const result = await runSumo({ ...options, controller, controllerFactory: resolveController, signal });
    results.push(result);
    onResult(result);
  }
  return results;
}
