import { mock, test } from 'node:test';
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

test('a lost database exits at once with code 1, saying why and that a start replays the log', async () => {
  const lines: string[] = [];
  const exits: (number | undefined)[] = [];
  const exit = mock.method(process, 'exit', (code?: number) => {
    exits.push(code);
    return undefined as never;
  });
  let lose: (error: Error) => void = () => undefined;
  const lost = new Promise<Error>((resolve) => (lose = resolve));
  let stops = 0;
  const before = { SIGTERM: process.listeners('SIGTERM'), SIGINT: process.listeners('SIGINT') };
  try {
    void runUntilSignalled(
      async () => {
        stops += 1;
      },
      (line) => lines.push(line),
      undefined,
      lost,
    );
    lose(new Error('FATAL Error: Failed: database has been invalidated because of a previous fatal error.'));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(exits, [1]);
    assert.equal(stops, 0, 'no stop: it could write nothing');
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /database can no longer be used.*write-ahead log.*invalidated/);
  } finally {
    exit.mock.restore();
    // The run never ended: its handlers are taken off here.
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      for (const listener of process.listeners(signal))
        if (!before[signal].includes(listener)) process.off(signal, listener);
    }
  }
});
