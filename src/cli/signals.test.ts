import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runUntilSignalled } from './signals.ts';

/** Sends `signal` to this process and waits for `finished` (a timer keeps the loop alive meanwhile). */
async function signalled(signal: NodeJS.Signals, finished: Promise<number>): Promise<number> {
  const alive = setTimeout(() => undefined, 5_000);
  process.kill(process.pid, signal);
  try {
    return await finished;
  } finally {
    clearTimeout(alive);
  }
}

test('a stop that fails ends with exit code 1 and one line with its error, not "stopped cleanly"', async () => {
  // Regression: a final flush that failed was logged, and the process still reported a clean stop.
  const lines: string[] = [];
  const finished = runUntilSignalled(
    () => Promise.reject(new Error('could not write the last readings into the store: disk full')),
    (line) => lines.push(line),
  );
  assert.equal(await signalled('SIGTERM', finished), 1);
  assert.deepEqual(lines, [
    'SIGTERM: stopping (send it again to force)',
    'shutdown failed, exit code 1: could not write the last readings into the store: disk full',
  ]);
  assert.equal(process.listenerCount('SIGTERM'), 0, 'the handlers are removed');
});

test('a stop that finishes ends with exit code 0', async () => {
  const lines: string[] = [];
  const finished = runUntilSignalled(
    async () => undefined,
    (line) => lines.push(line),
  );
  assert.equal(await signalled('SIGINT', finished), 0);
  assert.equal(lines.at(-1), 'stopped cleanly');
});
