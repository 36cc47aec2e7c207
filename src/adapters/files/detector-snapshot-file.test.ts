import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
  appendFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DetectorState } from '../../ports/maintenance.ts';
import { allSavedStates } from '../saved-states.test-helpers.ts';
import { DetectorSnapshotFile, snapshotPathIn, type PreviousStates } from './detector-snapshot-file.ts';
import { CHUNK_HEADER_BYTES, HEADER_BYTES } from './snapshot-chunks.ts';

function state(
  sensor: string,
  bytes: number[],
  lastTs: number,
  lastAlertAt: number | null = null,
): DetectorState {
  return { sensor, state: Uint8Array.from(bytes), lastTs, lastAlertAt };
}

function inFolder(run: (path: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const folder = mkdtempSync(join(tmpdir(), 'detector-snapshot-'));
    try {
      await run(snapshotPathIn(folder));
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  };
}

async function saveWhole(store: DetectorSnapshotFile, chunks: DetectorState[][], at: number): Promise<void> {
  await store.beginSnapshot();
  for (const chunk of chunks) await store.saveDetectorStates(chunk);
  await store.markStatesSaved(at);
}

const first = [state('pump-1/pressure', [1, 2, 3], 1_000, 900), state('водомер-7', [], 2_000)];
const second = [
  state(
    'bridge 3 "north"',
    Array.from({ length: 920 }, (_, i) => i % 256),
    -Infinity,
  ),
];

test(
  'a snapshot comes back chunk by chunk as saved, with its time, in a new instance on the same file',
  inFolder(async (path) => {
    await saveWhole(new DetectorSnapshotFile(path), [first, second], 5_000);
    const reopened = new DetectorSnapshotFile(path);
    const chunks: DetectorState[][] = [];
    await reopened.loadDetectorStates(async (chunk) => {
      chunks.push(chunk);
    });
    assert.deepEqual(chunks, [first, second]);
    assert.equal(await reopened.statesSavedAt(), 5_000);
    assert.equal(existsSync(`${path}.next`), false);
  }),
);

test(
  'no file yet: nothing to load and no time',
  inFolder(async (path) => {
    const store = new DetectorSnapshotFile(path);
    assert.deepEqual(await allSavedStates(store), []);
    assert.equal(await store.statesSavedAt(), undefined);
  }),
);

test(
  'a save that never ends (a failed sweep, a crash) leaves the last snapshot as it was; a new instance deletes what a crash left',
  inFolder(async (path) => {
    const store = new DetectorSnapshotFile(path);
    await saveWhole(store, [first], 5_000);
    await store.beginSnapshot();
    await store.saveDetectorStates(second);
    assert.deepEqual(await allSavedStates(store), first);
    assert.equal(await store.statesSavedAt(), 5_000);
    await saveWhole(store, [second], 6_000);
    writeFileSync(`${path}.next`, 'the start of a save a crash cut short');
    const restarted = new DetectorSnapshotFile(path);
    assert.equal(existsSync(`${path}.next`), false);
    assert.deepEqual(await allSavedStates(restarted), second);
    assert.equal(await restarted.statesSavedAt(), 6_000);
  }),
);

test(
  'a save begun anew drops what the unfinished one wrote; the new snapshot replaces the old whole',
  inFolder(async (path) => {
    const store = new DetectorSnapshotFile(path);
    await saveWhole(store, [first], 5_000);
    await store.beginSnapshot();
    await store.saveDetectorStates(first);
    await saveWhole(store, [second], 6_000);
    assert.deepEqual(await allSavedStates(store), second);
    assert.equal(await store.statesSavedAt(), 6_000);
  }),
);

test(
  'saving or marking without a snapshot begun is refused',
  inFolder(async (path) => {
    const store = new DetectorSnapshotFile(path);
    await assert.rejects(store.saveDetectorStates(first), /saveDetectorStates needs a snapshot begun/);
    await assert.rejects(store.markStatesSaved(1), /markStatesSaved needs a snapshot begun/);
    await saveWhole(store, [first], 5_000);
    await assert.rejects(store.markStatesSaved(2), /needs a snapshot begun/, 'a mark ends the snapshot');
  }),
);

test(
  'a damaged file is refused with its path and what is wrong, never read as states',
  inFolder(async (path) => {
    await saveWhole(new DetectorSnapshotFile(path), [first, second], 5_000);
    const good = readFileSync(path);
    const damaged = (change: (bytes: Buffer) => void): void => {
      const bytes = Buffer.from(good);
      change(bytes);
      writeFileSync(path, bytes);
    };
    const load = () => allSavedStates(new DetectorSnapshotFile(path));

    damaged((bytes) => {
      const at = HEADER_BYTES + CHUNK_HEADER_BYTES + 6;
      bytes.writeUInt8(bytes.readUInt8(at) ^ 0xff, at);
    });
    await assert.rejects(load(), (error: Error) => {
      assert.match(error.message, /checksum does not match .*chunk 0 at byte 24/);
      assert.ok(error.message.includes(path));
      assert.match(error.message, /move it away/);
      return true;
    });

    damaged((bytes) => bytes.write('XXXX', 0));
    await assert.rejects(load(), /not a snapshot of detector states/);

    damaged((bytes) => bytes.writeUInt32LE(2, 4));
    await assert.rejects(load(), /snapshot version 2/);

    writeFileSync(path, good);
    truncateSync(path, good.byteLength - 1);
    await assert.rejects(load(), /chunk 1 at byte/);

    writeFileSync(path, good);
    appendFileSync(path, Buffer.from([0]));
    await assert.rejects(load(), /1 bytes after its last chunk/);

    writeFileSync(path, good);
    assert.equal((await load()).length, 3);
  }),
);

test(
  'states an earlier version kept elsewhere are read until the first snapshot, which then empties that store',
  inFolder(async (path) => {
    let kept: DetectorState[] = [...first];
    let keptAt: number | undefined = 4_000;
    const previous: PreviousStates = {
      loadDetectorStates: async (each) => {
        if (kept.length > 0) await each(kept);
      },
      statesSavedAt: async () => keptAt,
      dropDetectorStates: async () => {
        kept = [];
        keptAt = undefined;
      },
    };
    const store = new DetectorSnapshotFile(path, previous);
    assert.deepEqual(await allSavedStates(store), first);
    assert.equal(await store.statesSavedAt(), 4_000);
    await store.beginSnapshot();
    await store.saveDetectorStates(second);
    assert.deepEqual(kept, first, 'kept until the snapshot ends');
    await store.markStatesSaved(5_000);
    assert.deepEqual(kept, []);
    assert.deepEqual(await allSavedStates(store), second);
    assert.equal(await store.statesSavedAt(), 5_000);
  }),
);

test(
  'a chunk read ahead while the one before is taken: damage in it is reported after that one, and a taker that fails stops the load with its own error',
  inFolder(async (path) => {
    await saveWhole(new DetectorSnapshotFile(path), [first, second, first], 5_000);
    const store = new DetectorSnapshotFile(path);
    let taken = 0;
    await assert.rejects(
      store.loadDetectorStates(async () => {
        taken += 1;
        throw new Error('the scoring engine is gone');
      }),
      /the scoring engine is gone/,
    );
    assert.equal(taken, 1);

    const good = readFileSync(path);
    const damaged = Buffer.from(good);
    const secondAt = HEADER_BYTES + CHUNK_HEADER_BYTES + damaged.readUInt32LE(HEADER_BYTES + 8);
    damaged.writeUInt32LE(0, secondAt);
    writeFileSync(path, damaged);
    const handed: DetectorState[][] = [];
    await assert.rejects(
      store.loadDetectorStates(async (chunk) => {
        handed.push(chunk);
      }),
      new RegExp(`no chunk mark .*chunk 1 at byte ${secondAt}`),
    );
    assert.deepEqual(handed, [first]);
  }),
);
