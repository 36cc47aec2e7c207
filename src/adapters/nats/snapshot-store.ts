import { promisify } from 'node:util';
import { deflateRaw, inflateRaw } from 'node:zlib';
import type { ObjectStore } from 'nats';
import type { DetectorState, DetectorStateStore } from '../../ports/maintenance.ts';
import { readObject, type SnapshotPieces } from './snapshot-pieces.ts';
import { decodeStates, encodeStates } from './state-codec.ts';

export interface ShardSnapshotStoreOptions {
  /**
   * A full snapshot replaces the deltas once they hold this many times its size (default 4): writes
   * per commit stay proportional to the states changed, not held, and a take-over reads at most
   * about five full snapshots' worth.
   */
  compactRatio?: number;
  /** Deltas written since the last full snapshot are never more than this (bounds a take-over's reads). */
  maxDeltas?: number;
  /** Where earlier versions kept a shard as one object (`shard-<n>`): read if nothing newer exists. */
  legacy?: ObjectStore;
  /**
   * Every current state of the shard, asked for when a full snapshot is written: the detectors
   * hold them, so the store keeps no copy (one would cost 2.6 KB per sensor with the shipped
   * detector).
   */
  allStates: () => Promise<Iterable<DetectorState>>;
}

const headBytes = 16;
const compress = promisify(deflateRaw);
const expand = promisify(inflateRaw);

/** Head (two float64) then the states deflated: detector states shrink about four times. */
async function withHead(first: number, second: number, states: Uint8Array): Promise<Uint8Array> {
  const body = await compress(states, { level: 1 });
  const data = new Uint8Array(headBytes + body.byteLength);
  const view = new DataView(data.buffer);
  view.setFloat64(0, first, true);
  view.setFloat64(8, second, true);
  data.set(body, headBytes);
  return data;
}

function headOf(data: Uint8Array): [number, number] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return [view.getFloat64(0, true), view.getFloat64(8, true)];
}

async function statesOf(data: Uint8Array): Promise<DetectorState[]> {
  return decodeStates(await expand(data.subarray(headBytes)));
}

/**
 * What a shard's owner has committed: the detector states of its sensors and the stream sequence up
 * to which every message's effects are in the store and in those states. Kept in `SnapshotPieces`
 * (a JetStream stream, replicated like the readings) as a full snapshot (sequence, last delta
 * folded in, states) followed by numbered deltas (sequence, states changed since the delta
 * before). A commit writes one delta with only the states changed since the last commit; once
 * the deltas add up to the full snapshot's size, a new full snapshot replaces them. So a commit
 * costs what changed, not every sensor the shard has ever seen. The next owner reads the full
 * snapshot and the deltas after it in order, and resumes after the last one's sequence.
 */
export class ShardSnapshotStore implements DetectorStateStore {
  readonly #pieces: SnapshotPieces;
  readonly #shard: number;
  readonly #legacyStore: ObjectStore | undefined;
  readonly #prefix: string;
  readonly #compactRatio: number;
  readonly #maxDeltas: number;
  /** States saved since the last commit. */
  readonly #changed = new Map<string, DetectorState>();
  readonly #allStates: () => Promise<Iterable<DetectorState>>;
  /** Number of the last delta written or read (0: none since the shard's first full snapshot). */
  #delta = 0;
  #deltasSinceBase = 0;
  #deltaBytesSinceBase = 0;
  #baseBytes = 0;
  /** A single-object snapshot of an earlier version was read: deleted once a full snapshot exists. */
  #legacy = false;
  /** Stream sequence covered by the last snapshot loaded or committed (0: none). */
  committedSequence = 0;

  constructor(pieces: SnapshotPieces, shard: number, options: ShardSnapshotStoreOptions) {
    this.#pieces = pieces;
    this.#shard = shard;
    this.#legacyStore = options.legacy;
    this.#allStates = options.allStates;
    this.#prefix = `shard-${shard}`;
    this.#compactRatio = options.compactRatio ?? 4;
    this.#maxDeltas = options.maxDeltas ?? 256;
    if (!(this.#compactRatio > 0) || !(this.#maxDeltas >= 1))
      throw new RangeError('compactRatio must be positive and maxDeltas at least 1');
  }

  /** Hands the shard's states over at once: a shard's are in memory while they load anyway. */
  async loadDetectorStates(each: (states: DetectorState[]) => Promise<void>): Promise<void> {
    const states = await this.loadStates();
    if (states.length > 0) await each(states);
  }

  /** The shard's saved states: the base and the deltas after it, read from the start again. */
  async loadStates(): Promise<DetectorState[]> {
    const loaded = new Map<string, DetectorState>();
    this.#changed.clear();
    this.committedSequence = 0;
    this.#delta = 0;
    this.#deltasSinceBase = 0;
    this.#deltaBytesSinceBase = 0;
    this.#baseBytes = 0;
    this.#legacy = false;
    const base = await this.#pieces.base(this.#shard);
    if (base === null) await this.#loadLegacy();
    if (base !== null && base.byteLength >= headBytes) {
      [this.committedSequence, this.#delta] = headOf(base);
      this.#baseBytes = base.byteLength;
      for (const state of await statesOf(base)) loaded.set(state.sensor, state);
    }
    for (;;) {
      const delta = await this.#pieces.delta(this.#shard, this.#delta + 1);
      if (delta === null || delta.byteLength < headBytes) break;
      this.#delta += 1;
      this.#deltasSinceBase += 1;
      this.#deltaBytesSinceBase += delta.byteLength;
      this.committedSequence = headOf(delta)[0];
      for (const state of await statesOf(delta)) loaded.set(state.sensor, state);
    }
    for (const [sensor, state] of this.#changed) loaded.set(sensor, state); // carried over from the old form
    return [...loaded.values()];
  }

  async saveDetectorStates(states: readonly DetectorState[]): Promise<void> {
    for (const state of states) this.#changed.set(state.sensor, state);
  }

  /** Writes the states changed since the last commit with `sequence`, the last stream sequence whose effects they hold. */
  async commit(sequence: number): Promise<void> {
    const changed = [...this.#changed.values()];
    const next = this.#delta + 1;
    const data = await withHead(sequence, 0, encodeStates(changed));
    await this.#pieces.putDelta(this.#shard, next, data);
    this.#delta = next;
    this.#deltasSinceBase += 1;
    this.#deltaBytesSinceBase += data.byteLength;
    for (const state of changed)
      if (this.#changed.get(state.sensor) === state) this.#changed.delete(state.sensor);
    this.committedSequence = sequence;
    if (
      this.#deltasSinceBase >= this.#maxDeltas ||
      this.#deltaBytesSinceBase >= this.#baseBytes * this.#compactRatio
    )
      // The commit is durable already; a failed compaction is tried again at the next one.
      await this.#compact().catch(() => undefined);
  }

  /** Deltas written since the last full snapshot (for tests and status). */
  get deltas(): number {
    return this.#deltasSinceBase;
  }

  /**
   * The single object `shard-<n>` (sequence, then the states, not deflated) written before deltas:
   * read when no full snapshot exists yet, so an upgraded processor resumes where the old one
   * committed. Its first commit then writes a full snapshot, which takes over from it.
   */
  async #loadLegacy(): Promise<void> {
    const store = this.#legacyStore;
    const legacy = store === undefined ? null : await readObject(store, this.#prefix);
    if (legacy === null || legacy.byteLength < 8) return;
    this.#legacy = true;
    this.committedSequence = new DataView(legacy.buffer, legacy.byteOffset, 8).getFloat64(0, true);
    for (const state of decodeStates(legacy.subarray(8))) this.#changed.set(state.sensor, state);
  }

  /** A full snapshot that folds every delta so far in; then the folded deltas are deleted. */
  async #compact(): Promise<void> {
    const data = await withHead(this.committedSequence, this.#delta, encodeStates(await this.#allStates()));
    await this.#pieces.putBase(this.#shard, data);
    this.#baseBytes = data.byteLength;
    this.#deltasSinceBase = 0;
    this.#deltaBytesSinceBase = 0;
    if (this.#legacy) {
      await this.#legacyStore?.delete(this.#prefix).catch(() => undefined);
      this.#legacy = false;
    }
    // Deltas folded in are never read again; left-overs of an owner that died here go too.
    await this.#pieces.dropDeltas(this.#shard, this.#delta).catch(() => undefined);
  }
}
