import { test } from 'node:test';
import assert from 'node:assert/strict';
import { oneAtATime } from '../web/src/one-at-a-time.ts';

test('one run at a time, and the calls made during a run share one more run after it', async () => {
  let open = 0;
  let most = 0;
  let runs = 0;
  const gates: (() => void)[] = [];
  const reload = oneAtATime(async () => {
    runs += 1;
    open += 1;
    most = Math.max(most, open);
    await new Promise<void>((resolve) => gates.push(resolve));
    open -= 1;
  });
  const first = reload();
  const during = [reload(), reload(), reload()];
  assert.equal(runs, 1);
  gates.shift()?.();
  await first;
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(runs, 2, 'one more run for the three calls made during the first');
  gates.shift()?.();
  await Promise.all(during);
  assert.equal(most, 1);
  const later = reload();
  assert.equal(runs, 3, 'a call when none runs starts at once');
  gates.shift()?.();
  await later;
});

test('a run that fails lets the next one start', async () => {
  let runs = 0;
  const reload = oneAtATime(async () => {
    runs += 1;
    if (runs === 1) throw new Error('unreachable');
  });
  const failed = reload();
  const after = reload();
  await assert.rejects(failed, /unreachable/);
  await after;
  assert.equal(runs, 2);
});
