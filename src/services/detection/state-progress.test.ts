import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DetectorState, DetectorStateStore } from '../../ports/maintenance.ts';
import { loadStatesTelling, StateProgress } from './state-progress.ts';

function state(index: number): DetectorState {
  return { sensor: `pump-${index}`, state: new Uint8Array([index % 256]), lastTs: index, lastAlertAt: null };
}

/** A store handing `chunks` chunks of `size` states, the clock moving `stepMillis` as each is read. */
function chunkedStore(chunks: number, size: number, clock: { millis: number }, stepMillis: number) {
  const store: DetectorStateStore = {
    saveDetectorStates: async () => undefined,
    loadDetectorStates: async (each) => {
      for (let chunk = 0; chunk < chunks; chunk++) {
        clock.millis += stepMillis;
        await each(Array.from({ length: size }, (_, index) => state(chunk * size + index)));
      }
    },
  };
  return store;
}

test('a long restore says how far it got every 5 s, and how many states it restored in what time', async () => {
  const clock = { millis: 0 };
  const lines: string[] = [];
  const sensors: string[] = [];
  await loadStatesTelling(
    chunkedStore(4, 10_000, clock, 2_000),
    async (states) => {
      for (const each of states) sensors.push(each.sensor);
    },
    (line) => lines.push(line),
    () => clock.millis,
  );
  assert.equal(sensors.length, 40_000);
  assert.equal(sensors[39_999], 'pump-39999');
  assert.deepEqual(lines, [
    'failure prediction: reading saved detector states: 30,000 so far, 6.0 s',
    'failure prediction: read 40,000 saved detector states in 8.0 s',
  ]);
});

test('nothing to restore, nothing said; a failing restore fails as the store does', async () => {
  const clock = { millis: 0 };
  const lines: string[] = [];
  const tell = (line: string) => lines.push(line);
  const now = () => clock.millis;
  await loadStatesTelling(chunkedStore(0, 0, clock, 1), async () => undefined, tell, now);
  assert.equal(lines.length, 0);
  await assert.rejects(
    loadStatesTelling(
      chunkedStore(3, 10, clock, 1),
      async () => {
        throw new Error('the thread died');
      },
      tell,
      now,
    ),
    /the thread died/,
  );
  assert.equal(lines.length, 0);
});

test('a save that first waited for alerts to be recorded says how long of its time that took', () => {
  const clock = { millis: 0 };
  const lines: string[] = [];
  const progress = StateProgress.saving(
    (line) => lines.push(line),
    () => clock.millis,
  );
  clock.millis = 6_200;
  progress.waited(6_000);
  progress.add(2_000);
  clock.millis = 6_400;
  progress.add(500);
  progress.end(false);
  assert.deepEqual(lines, [
    'failure prediction: saving detector states: 2,000 so far, 6.2 s (6.0 s of it waiting for alerts to be recorded first)',
    'failure prediction: saved 2,500 detector states in 6.4 s (6.0 s of it waiting for alerts to be recorded first)',
  ]);
});
