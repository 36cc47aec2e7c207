import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryMaintenanceRepository } from '../../adapters/memory/maintenance-repository.ts';
import type { DetectorState, DetectorStateStore } from '../../ports/maintenance.ts';
import { withRestoreProgress } from './restore-progress.ts';

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
  const store = withRestoreProgress(
    chunkedStore(4, 10_000, clock, 2_000),
    (line) => lines.push(line),
    () => clock.millis,
  );
  const sensors: string[] = [];
  await store.loadDetectorStates(async (states) => {
    for (const each of states) sensors.push(each.sensor);
  });
  assert.equal(sensors.length, 40_000);
  assert.equal(sensors[39_999], 'pump-39999');
  assert.deepEqual(lines, [
    'failure prediction: restoring saved detector states: 30,000 so far, 6.0 s',
    'failure prediction: restored 40,000 saved detector states in 8.0 s',
  ]);
});

test('nothing to restore, nothing said; a failing restore fails as the store does', async () => {
  const clock = { millis: 0 };
  const lines: string[] = [];
  await withRestoreProgress(chunkedStore(0, 0, clock, 1), (line) => lines.push(line)).loadDetectorStates(
    async () => undefined,
  );
  assert.equal(lines.length, 0);
  const broken = withRestoreProgress(chunkedStore(3, 10, clock, 1), (line) => lines.push(line));
  await assert.rejects(
    broken.loadDetectorStates(async () => {
      throw new Error('the thread died');
    }),
    /the thread died/,
  );
  assert.equal(lines.length, 0);
});

test('saving, and the saved-at mark where the store has one, go to the store', async () => {
  const repository = new MemoryMaintenanceRepository();
  const store = withRestoreProgress(repository, () => undefined);
  await store.saveDetectorStates([state(7)]);
  await store.markStatesSaved?.(1_234);
  assert.equal(await store.statesSavedAt?.(), 1_234);
  assert.equal(await repository.statesSavedAt(), 1_234);
  const loaded: DetectorState[] = [];
  await repository.loadDetectorStates(async (states) => void loaded.push(...states));
  assert.deepEqual(
    loaded.map((each) => each.sensor),
    ['pump-7'],
  );
  const bare = withRestoreProgress(chunkedStore(1, 1, { millis: 0 }, 1), () => undefined);
  assert.equal(bare.markStatesSaved, undefined);
  assert.equal(bare.statesSavedAt, undefined);
});
