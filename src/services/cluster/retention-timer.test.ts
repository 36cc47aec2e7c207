import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RetentionPolicy } from '../../ports/reading-store.ts';
import { RetentionTimer } from './retention-timer.ts';

test('applies the policy every period, never two runs at once, and survives a failed run', async () => {
  const calls: [number, RetentionPolicy][] = [];
  let release: () => void = () => undefined;
  let fail = true;
  const errors: unknown[] = [];
  const policy = { rawMillis: 1_000 };
  const timer = new RetentionTimer({
    store: {
      applyRetention: async (now, given) => {
        calls.push([now, given]);
        if (fail) {
          fail = false;
          throw new Error('store down');
        }
        await new Promise<void>((resolve) => (release = resolve));
        return 3;
      },
    },
    policy,
    intervalMillis: 10,
    clock: () => 42,
    onError: (error) => void errors.push(error),
  });
  timer.start();
  await new Promise((resolve) => setTimeout(resolve, 60));
  // First run failed; the second is held open, so later periods join it instead of starting more.
  assert.equal(errors.length, 1);
  assert.equal(calls.length, 2);
  assert.deepEqual(calls[1], [42, policy]);
  release();
  await timer.stop();
  const after = calls.length;
  await new Promise((resolve) => setTimeout(resolve, 40));
  assert.equal(calls.length, after, 'no run after stop');
});
