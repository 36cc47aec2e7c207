import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateRawSync } from 'node:zlib';
import type { ObjectStore } from 'nats';
import type { DetectorState } from '../../ports/maintenance.ts';
import { ObjectStorePieces } from './snapshot-pieces.ts';
import { ShardSnapshotStore, type ShardSnapshotStoreOptions } from './snapshot-store.ts';
import { decodeStates, encodeStates } from './state-codec.ts';

/** The part of a JetStream object store the snapshot store uses, in memory; records every write. */
function memoryObjects(): { store: ObjectStore; objects: Map<string, Uint8Array>; writes: string[] } {
  const objects = new Map<string, Uint8Array>();
  const writes: string[] = [];
  const store = {
    info: async (name: string) => (objects.has(name) ? { name, deleted: false } : null),
    getBlob: async (name: string) => objects.get(name) ?? null,
    putBlob: async (meta: { name: string }, data: Uint8Array) => {
      objects.set(meta.name, Uint8Array.from(data));
      writes.push(meta.name);
      return {};
    },
    list: async () => [...objects.keys()].map((name) => ({ name })),
    delete: async (name: string) => objects.delete(name),
  };
  return { store: store as unknown as ObjectStore, objects, writes };
}

/**
 * A shard's snapshot store as a processor uses it: its detectors (here a map) hold every state
 * restored or saved, and full snapshots are taken from them.
 */
class Owner extends ShardSnapshotStore {
  readonly #held: Map<string, DetectorState>;

  constructor(store: ObjectStore, shard: number, options: Partial<ShardSnapshotStoreOptions> = {}) {
    const held = new Map<string, DetectorState>();
    super(new ObjectStorePieces(store), shard, { ...options, allStates: async () => held.values() });
    this.#held = held;
  }

  override async loadStates(): Promise<DetectorState[]> {
    const states = await super.loadStates();
    for (const entry of states) this.#held.set(entry.sensor, entry);
    return states;
  }

  override async saveDetectorStates(states: readonly DetectorState[]): Promise<void> {
    for (const entry of states) this.#held.set(entry.sensor, entry);
    await super.saveDetectorStates(states);
  }
}

function state(sensor: string, lastTs: number, byte = 1): DetectorState {
  return { sensor, state: new Uint8Array(100).fill(byte), lastTs, lastAlertAt: null };
}

test('a commit writes only the states changed since the previous commit', async () => {
  const { store, objects, writes } = memoryObjects();
  const snapshots = new Owner(store, 3);
  await snapshots.saveDetectorStates(Array.from({ length: 50 }, (_, index) => state(`s-${index}`, 1)));
  await snapshots.commit(10);
  await snapshots.saveDetectorStates([state('s-7', 2, 9)]);
  await snapshots.commit(11);
  const last = writes.at(-1)!;
  assert.equal(last, 'shard-3.delta-2');
  const written = decodeStates(inflateRawSync(objects.get(last)!.subarray(16)));
  assert.deepEqual(
    written.map((entry) => entry.sensor),
    ['s-7'],
  );
});

test('a new owner restores the full snapshot and every delta after it, in order', async () => {
  const { store } = memoryObjects();
  const first = new Owner(store, 1);
  await first.saveDetectorStates([state('a', 1), state('b', 1)]);
  await first.commit(5);
  await first.saveDetectorStates([state('a', 2, 2)]);
  await first.commit(8);
  await first.saveDetectorStates([state('a', 3, 3), state('c', 3)]);
  await first.commit(12);
  const next = new Owner(store, 1);
  const restored = await next.loadStates();
  assert.equal(next.committedSequence, 12);
  const byId = new Map(restored.map((entry) => [entry.sensor, entry]));
  assert.deepEqual([...byId.keys()].sort(), ['a', 'b', 'c']);
  assert.equal(byId.get('a')!.lastTs, 3);
  assert.equal(byId.get('a')!.state[0], 3);
  // The new owner goes on numbering after the last delta it read.
  await next.saveDetectorStates([state('b', 4, 4)]);
  await next.commit(13);
  const third = new Owner(store, 1);
  const again = new Map((await third.loadStates()).map((entry) => [entry.sensor, entry]));
  assert.equal(third.committedSequence, 13);
  assert.equal(again.get('b')!.lastTs, 4);
  assert.equal(again.get('a')!.lastTs, 3);
});

test('deltas are folded into a full snapshot once they outweigh it, and then deleted', async () => {
  const { store, objects } = memoryObjects();
  const snapshots = new Owner(store, 2, { compactRatio: 1 });
  await snapshots.saveDetectorStates([state('a', 1), state('b', 1)]);
  await snapshots.commit(1); // first commit: the delta is the whole shard, folded at once
  assert.equal(snapshots.deltas, 0);
  assert.deepEqual([...objects.keys()], ['shard-2.base']);
  await snapshots.saveDetectorStates([state('a', 2)]);
  await snapshots.commit(2); // about half the full snapshot: kept as a delta
  assert.equal(snapshots.deltas, 1);
  await snapshots.saveDetectorStates([state('b', 3)]);
  await snapshots.commit(3); // the two deltas now outweigh it: folded
  assert.equal(snapshots.deltas, 0);
  assert.deepEqual([...objects.keys()], ['shard-2.base']);
  const reloaded = new Owner(store, 2);
  const states = new Map((await reloaded.loadStates()).map((entry) => [entry.sensor, entry]));
  assert.equal(reloaded.committedSequence, 3);
  assert.equal(states.get('a')!.lastTs, 2);
  assert.equal(states.get('b')!.lastTs, 3);
});

test('a commit with no changed state still records the sequence', async () => {
  const { store } = memoryObjects();
  const snapshots = new Owner(store, 0);
  await snapshots.commit(40);
  await snapshots.commit(41);
  const reloaded = new Owner(store, 0);
  assert.deepEqual(await reloaded.loadStates(), []);
  assert.equal(reloaded.committedSequence, 41);
});

test('a shard committed in the single-object form of earlier versions is resumed, then carried over', async () => {
  const { store, objects } = memoryObjects();
  const head = new Uint8Array(8);
  new DataView(head.buffer).setFloat64(0, 77, true);
  const old = [state('a', 5), state('b', 6)];
  objects.set('shard-4', Uint8Array.from([...head, ...encodeStates(old)]));
  const snapshots = new Owner(store, 4, { legacy: store });
  assert.deepEqual(await snapshots.loadStates(), old);
  assert.equal(snapshots.committedSequence, 77);
  await snapshots.commit(80);
  const next = new Owner(store, 4, { legacy: store });
  const states = await next.loadStates();
  assert.equal(next.committedSequence, 80);
  assert.deepEqual(
    states.map((entry) => entry.sensor).sort(),
    ['a', 'b'],
    'the old states are in the new form',
  );
  assert.equal(objects.has('shard-4'), false, 'and the old object is gone');
});

test('with the detectors as the source of every state, a full snapshot holds what they hold', async () => {
  const { store } = memoryObjects();
  const detectors = new Map<string, DetectorState>();
  const snapshots = new ShardSnapshotStore(new ObjectStorePieces(store), 6, {
    compactRatio: 1,
    allStates: async () => detectors.values(),
  });
  const saved = (states: DetectorState[]) => {
    for (const entry of states) detectors.set(entry.sensor, entry);
    return snapshots.saveDetectorStates(states);
  };
  await saved([state('a', 1), state('b', 1)]);
  await snapshots.commit(1); // folded at once: the base is asked of the detectors
  await saved([state('a', 2, 2)]);
  await snapshots.commit(2);
  await saved([state('b', 3, 3)]);
  await snapshots.commit(3); // folded again
  assert.equal(snapshots.deltas, 0);
  const reloaded = new Owner(store, 6);
  const states = new Map((await reloaded.loadStates()).map((entry) => [entry.sensor, entry]));
  assert.equal(reloaded.committedSequence, 3);
  assert.deepEqual([...states.values()].map((entry) => [entry.sensor, entry.lastTs, entry.state[0]]).sort(), [
    ['a', 2, 2],
    ['b', 3, 3],
  ]);
});
