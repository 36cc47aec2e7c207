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

/** One line for the user: the message (SUMO's own output folded in), never stack frames. */
function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .join(' ');
}

main().catch((error: unknown) => {
  process.stderr.write(`sumo worker: ${describeFailure(error)}\n`);
  process.exitCode = 1;
});
