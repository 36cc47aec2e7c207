/**
 * Entry point run by `evaluateSumo` inside a private network namespace: reads one JSON request on
 * stdin, runs each controller in SUMO one after the other, prints one JSON line with the results.
 */
import { text } from 'node:stream/consumers';
import { runControllers, type EvaluateSumoOptions } from './evaluate.ts';

async function main(): Promise<void> {
  const request = JSON.parse(await text(process.stdin)) as EvaluateSumoOptions;
  process.stdout.write(JSON.stringify(await runControllers(request)) + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(
    `sumo worker: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
