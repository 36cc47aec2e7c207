/**
 * Entry point run by `evaluateSumo` inside a private network namespace: reads one JSON request on
 * stdin, runs each controller in SUMO one after the other, prints one JSON line with the results.
 */
import { text } from 'node:stream/consumers';
import type { DecisionCadence } from '../../core/traffic/controller.ts';
import { resolveController } from './controllers.ts';
import { runSumo } from './run.ts';
import type { YellowScope } from './signal-driver.ts';
import type { SumoRunResult } from './run.ts';

interface WorkerRequest {
  readonly sumocfg: string;
  readonly controllers: readonly string[];
  readonly steps: number;
  readonly seed: number;
  readonly phaseLimit?: number;
  readonly cadence?: DecisionCadence;
  /** Links a phase change turns yellow: `all` (default, the field's setting) or only the `ending` ones. */
  readonly yellowScope?: YellowScope;
}

async function main(): Promise<void> {
  const request = JSON.parse(await text(process.stdin)) as WorkerRequest;
  const results: SumoRunResult[] = [];
  for (const controller of request.controllers) {
    process.stderr.write(`sumo: running ${controller} on ${request.sumocfg}\n`);
    results.push(
      await runSumo({
        sumocfg: request.sumocfg,
        controller,
        steps: request.steps,
        seed: request.seed,
        phaseLimit: request.phaseLimit,
        cadence: request.cadence,
        yellowScope: request.yellowScope,
        controllerFactory: resolveController,
      }),
    );
  }
  process.stdout.write(JSON.stringify(results) + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(
    `sumo worker: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
