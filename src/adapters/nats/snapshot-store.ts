import type { ObjectStore } from 'nats';
import type { DetectorState, DetectorStateStore } from '../../ports/maintenance.ts';

/** Binary form of a shard's detector states: count, then per state id, lastTs, lastAlertAt (NaN: none), bytes. */
export function encodeStates(states: Iterable<DetectorState>): Uint8Array {
  const parts: Buffer[] = [];
  let count = 0;
  for (const state of states) {
    const id = Buffer.from(state.sensor, 'utf8');
    const head = Buffer.alloc(2 + id.length + 8 + 8 + 4);
    head.writeUInt16LE(id.length, 0);
    id.copy(head, 2);
    head.writeDoubleLE(state.lastTs, 2 + id.length);
    head.writeDoubleLE(state.lastAlertAt ?? Number.NaN, 10 + id.length);
    head.writeUInt32LE(state.state.length, 18 + id.length);
    parts.push(head, Buffer.from(state.state.buffer, state.state.byteOffset, state.state.byteLength));
    count += 1;
  }
  const countBytes = Buffer.alloc(4);
  countBytes.writeUInt32LE(count, 0);
  return Buffer.concat([countBytes, ...parts]);
}

export function decodeStates(data: Uint8Array): DetectorState[] {
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const count = buffer.readUInt32LE(0);
  const states: DetectorState[] = [];
  let offset = 4;
  for (let index = 0; index < count; index += 1) {
    const idLength = buffer.readUInt16LE(offset);
    const sensor = buffer.toString('utf8', offset + 2, offset + 2 + idLength);
    offset += 2 + idLength;
    const lastTs = buffer.readDoubleLE(offset);
    const lastAlertAt = buffer.readDoubleLE(offset + 8);
    const length = buffer.readUInt32LE(offset + 16);
    offset += 20;
    states.push({
      sensor,
      lastTs,
      lastAlertAt: Number.isNaN(lastAlertAt) ? null : lastAlertAt,
      state: Uint8Array.from(buffer.subarray(offset, offset + length)),
    });
    offset += length;
  }
  return states;
}

/**
 * What a shard's owner has committed: the detector states of its sensors and the stream sequence up
 * to which every message's effects are in the store and in those states. Kept whole as one object
 * `shard-<n>` in a JetStream object store (replicated like the stream): the next owner of the shard
 * restores the states and resumes after that sequence. `saveDetectorStates` only merges changed
 * states; `commit` writes them with the sequence.
 */
export class ShardSnapshotStore implements DetectorStateStore {
  readonly #store: ObjectStore;
  readonly #name: string;
  readonly #states = new Map<string, DetectorState>();
  /** Stream sequence covered by the last snapshot loaded or committed (0: none). */
  committedSequence = 0;

  constructor(store: ObjectStore, shard: number) {
    this.#store = store;
    this.#name = `shard-${shard}`;
  }

  async loadDetectorStates(): Promise<DetectorState[]> {
    const data = await this.#store.getBlob(this.#name);
    this.#states.clear();
    this.committedSequence = 0;
    if (data === null || data.byteLength < 8) return [];
    this.committedSequence = Buffer.from(data.buffer, data.byteOffset, 8).readDoubleLE(0);
    const states = decodeStates(data.subarray(8));
    for (const state of states) this.#states.set(state.sensor, state);
    return states;
  }

  async saveDetectorStates(states: readonly DetectorState[]): Promise<void> {
    for (const state of states) this.#states.set(state.sensor, state);
  }

  /** Writes the states with `sequence`, the last stream sequence whose effects they hold. */
  async commit(sequence: number): Promise<void> {
    const head = Buffer.alloc(8);
    head.writeDoubleLE(sequence, 0);
    await this.#store.putBlob(
      { name: this.#name },
      Buffer.concat([head, encodeStates(this.#states.values())]),
    );
    this.committedSequence = sequence;
  }

  /** Sensors whose state this shard keeps. */
  get size(): number {
    return this.#states.size;
  }
}
