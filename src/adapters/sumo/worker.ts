/**
 * Entry point run by `evaluateSumo` inside a private network namespace: reads one JSON request on
 * stdin, runs each controller in SUMO one after the other, prints each result as a JSON line as soon
 * as its controller finishes. A failure is printed as a last line `{"failure": "..."}` (one line,
 * which the parent reports as its own) and ends the worker with code 1.
 * SIGINT, SIGTERM or the death of the parent process stop SUMO, remove the run's work directory and
 * end the worker with 128 + the signal number (SIGTERM's for a lost parent).
 */
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { text } from 'node:stream/consumers';
import { runControllers, type EvaluateSumoOptions } from './evaluate.ts';
import { describeError } from '../../core/describe-error.ts';

const stop = new AbortController();
/** Why the worker stops early, and the signal its exit code reports. */
let stopped: { readonly signal: NodeJS.Signals; readonly reason: string } | undefined;

function stopOn(signal: NodeJS.Signals, reason: string = signal): void {
  stopped ??= { signal, reason };
  stop.abort();
}

/** The parent's process id, read afresh (Node's `process.ppid` keeps the value from start-up). */
function parentId(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

async function main(): Promise<void> {
  // A handler on each (not `once`): a terminal's Ctrl-C reaches this process and the forwarded
  // signal from the parent at once; the second must not end the worker before SUMO is stopped.
  // Not `process.on('SIGINT', stopOn)`: Node passes the signal's number as the listener's second
  // argument, which would take the place of the reason.
  process.on('SIGINT', () => stopOn('SIGINT'));
  process.on('SIGTERM', () => stopOn('SIGTERM'));
  const parent = parentId();
  const watch = setInterval(() => {
    if (parentId() !== parent) stopOn('SIGTERM', 'the parent process ended');
  }, 1000);
  watch.unref();
  // A parent gone before the result is written: nobody is left to read it.
  process.stdout.on('error', () => stopOn('SIGTERM', 'the parent process ended'));
  const request = JSON.parse(await text(process.stdin)) as EvaluateSumoOptions;
  await runControllers(request, stop.signal, (result) => process.stdout.write(`${JSON.stringify(result)}\n`));
}

/** One line for the user: the message (SUMO's own output folded in), never stack frames. */
function describeFailure(error: unknown): string {
  const message = describeError(error);
  return message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .join(' ');
}

main().catch((error: unknown) => {
  if (stopped !== undefined) {
    process.stderr.write(`sumo worker: stopped (${stopped.reason}); SUMO ended\n`);
    process.exitCode = 128 + constants.signals[stopped.signal];
    return;
  }
  process.stdout.write(`${JSON.stringify({ failure: describeFailure(error) })}\n`);
  process.exitCode = 1;
});
