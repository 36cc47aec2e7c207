import { decideAlert } from '../../core/maintenance/alert.ts';
import type { EvidencePoint } from '../../core/maintenance/alert.ts';
import { PointRings } from '../../core/maintenance/point-rings.ts';
import type { Reading } from '../../core/readings/reading.ts';
import { detachedCopy } from '../../core/readings/sensor-keys.ts';
import type { DetectorState } from '../../ports/maintenance.ts';
import type { Crossing, ScoringOptions } from '../../ports/scoring.ts';
import type { StateSpill } from '../../ports/state-spill.ts';
import type { AnomalyDetector, DetectorSpec } from '../../core/anomaly/detector.ts';

export type { Crossing } from '../../ports/scoring.ts';

export interface SensorDetectorsOptions extends ScoringOptions {
  detector: DetectorSpec;
}

/** Opens the spill once the size of its records is known (at the first state moved out). */
export type OpenSpill = (recordBytes: number) => StateSpill;

interface Entry {
  /** Undefined while the state is out of memory (in the spill). */
  detector: AnomalyDetector | undefined;
  /** The sensor's ring of its last `evidencePoints` points; −1 while out of memory. */
  ring: number;
  /** Its ring of the last `historyPoints` points, once its scores were asked for or it alerted; −1 before. */
  longRing: number;
  lastTs: number;
  lastAlertAt: number | null;
  dirty: boolean;
  /** Its record in the spill, from the first time it went out; −1 before. */
  slot: number;
  /** Its place in the list of states in memory; −1 while out. */
  hot: number;
  /** Used since the clock hand last passed it (it then stays in memory one more round). */
  used: boolean;
}

/** Bytes of heap an in-memory sensor costs beside its state and ring (entry, key, map slot). */
const ENTRY_HEAP_BYTES = 160;

/**
 * One detector per sensor, created on the sensor's first reading. Synchronous and allocation-light:
 * this is the hot path every accepted reading goes through.
 *
 * Score history in two tiers: every sensor keeps its last `evidencePoints` (ts, value, score)
 * points, what an alert carries; the longer series of `historyPoints` points is kept from the
 * moment a sensor's scores are first asked for (the dashboard opens its chart) or it alerts. A
 * million sensors then cost 0.3 KB of history each instead of 1.2 KB.
 */
export class SensorDetectors {
  readonly #entries = new Map<string, Entry>();
  readonly #options: SensorDetectorsOptions;
  readonly #evidence: PointRings;
  readonly #history: PointRings;
  /** Entries whose states are in memory, swept by a clock hand when one must go out. */
  readonly #hot: Entry[] = [];
  #hand = 0;
  /** Most states kept in memory (from `stateMemoryBytes`); the others wait in the spill. */
  readonly #hotLimit: number;
  readonly #openSpill: OpenSpill | undefined;
  #spill: Spill | undefined;
  /** Bytes of a new detector's state: a spill record's room for one. */
  #stateBytes = 0;
  /** States moved out and read back since start. */
  spilled = 0;
  revived = 0;

  /** `openSpill` is needed when `stateMemoryBytes` is set: where states wait out of memory. */
  constructor(options: SensorDetectorsOptions, openSpill?: OpenSpill) {
    for (const key of ['suppressionMillis', 'evidencePoints', 'historyPoints'] as const) {
      if (!Number.isFinite(options[key]) || options[key] < 0) {
        throw new RangeError(`${key} must be a non-negative number, got ${options[key]}`);
      }
    }
    if (options.evidencePoints > options.historyPoints) {
      throw new RangeError(
        `evidencePoints (${options.evidencePoints}) exceeds historyPoints (${options.historyPoints})`,
      );
    }
    this.#options = options;
    this.#evidence = new PointRings(Math.max(1, options.evidencePoints));
    this.#history = new PointRings(Math.max(1, options.historyPoints));
    const memory = options.stateMemoryBytes;
    if (memory === undefined) {
      this.#hotLimit = Number.POSITIVE_INFINITY;
    } else {
      if (!(memory > 0)) throw new RangeError(`stateMemoryBytes must be a positive number, got ${memory}`);
      if (openSpill === undefined) throw new Error('stateMemoryBytes needs a spill to move states out to');
      const probe = options.detector.create();
      this.#stateBytes = probe.snapshot().byteLength;
      probe.release?.();
      const perSensor = this.#stateBytes + this.#evidence.bytesPerRing + ENTRY_HEAP_BYTES;
      this.#hotLimit = Math.max(1, Math.floor(memory / perSensor));
    }
    this.#openSpill = openSpill;
  }

  get sensorCount(): number {
    return this.#entries.size;
  }

  /** Sensors whose states are in memory now. */
  get inMemory(): number {
    return this.#hot.length;
  }

  /** Most sensors whose states are kept in memory (infinite without a memory budget). */
  get inMemoryLimit(): number {
    return this.#hotLimit;
  }

  /** Frees the spill (its file). The detectors must not be used after. */
  close(): void {
    this.#spill?.store.close();
    this.#spill = undefined;
  }

  /** Scores each reading in order; readings not newer than the sensor's last one are skipped. */
  process(readings: readonly Reading[]): Crossing[] {
    const crossings: Crossing[] = [];
    this.#runEntry = undefined;
    for (const reading of readings) this.#score(reading.sensor, reading.ts, reading.value, crossings);
    return crossings;
  }

  /** `process` for a batch held as columns (the form a batch crosses a thread boundary in). */
  processColumns(sensors: readonly string[], timestamps: Float64Array, values: Float64Array): Crossing[] {
    const crossings: Crossing[] = [];
    this.#runEntry = undefined;
    for (let index = 0; index < sensors.length; index++) {
      this.#score(sensors[index] as string, timestamps[index] as number, values[index] as number, crossings);
    }
    return crossings;
  }

  // Batches from one device repeat its sensor: the entry is looked up once per run of readings.
  #runSensor: string | undefined;
  #runEntry: Entry | undefined;

  #score(sensor: string, ts: number, value: number, crossings: Crossing[]): void {
    let entry = this.#runEntry;
    if (entry === undefined || this.#runSensor !== sensor) {
      entry = this.#entry(sensor);
      this.#runSensor = sensor;
      this.#runEntry = entry;
    }
    if (ts <= entry.lastTs) return;
    entry.lastTs = ts;
    entry.dirty = true;
    entry.used = true;
    const detector = entry.detector as AnomalyDetector;
    const score = detector.update(ts, value);
    this.#evidence.push(entry.ring, ts, value, score);
    if (entry.longRing >= 0) this.#history.push(entry.longRing, ts, value, score);
    // Below the threshold nothing is raised: skip the decision (and its result object), the
    // common case on this per-reading path.
    const { threshold } = this.#options;
    if (!(score >= threshold)) return;
    if (
      !this.#learning(detector, ts) &&
      decideAlert(score, threshold, ts, entry, this.#options.suppressionMillis).raise
    ) {
      entry.lastAlertAt = ts;
      crossings.push({
        sensor,
        ts,
        score,
        evidence: this.#evidence.last(entry.ring, this.#options.evidencePoints),
      });
      this.#keepHistory(entry);
    }
  }

  /**
   * A sensor still learning raises no alert: before `learningReadings` readings, and before its
   * readings span `learningSpanMillis`.
   */
  #learning(detector: AnomalyDetector, ts: number): boolean {
    const seen = detector.readingsSeen?.() ?? Number.POSITIVE_INFINITY;
    if (seen < (this.#options.learningReadings ?? 0)) return true;
    // −∞ (a state that predates the first timestamp) counts as learned; so does a detector without one.
    const first = detector.firstTimestamp?.() ?? Number.NEGATIVE_INFINITY;
    return ts - first < (this.#options.learningSpanMillis ?? 0);
  }

  /** The kept (ts, value, score) points of a sensor in [fromMillis, toMillis); undefined if unknown. */
  history(sensor: string, fromMillis: number, toMillis: number): EvidencePoint[] | undefined {
    const entry = this.#entries.get(sensor);
    if (entry === undefined) return undefined;
    this.#bringIn(entry);
    this.#keepHistory(entry);
    return this.#history.between(entry.longRing, fromMillis, toMillis);
  }

  /** Starts the sensor's long series, from the points its short ring holds. */
  #keepHistory(entry: Entry): void {
    if (entry.longRing >= 0) return;
    entry.longRing = this.#history.allocate();
    for (const point of this.#evidence.last(entry.ring, this.#options.evidencePoints)) {
      this.#history.push(entry.longRing, point.ts, point.value, point.score);
    }
  }

  /**
   * States of the sensors updated since they were last taken (all of them with `all`), at most
   * `limit` of them, marking them clean: a caller takes a million sensors' states in chunks.
   */
  takeStates(all = false, limit = Number.POSITIVE_INFINITY): DetectorState[] {
    const states: DetectorState[] = [];
    if (all) for (const entry of this.#entries.values()) entry.dirty = true;
    for (const [sensor, entry] of this.#entries) {
      if (states.length >= limit) break;
      if (!entry.dirty) continue;
      entry.dirty = false;
      states.push({
        sensor,
        state: entry.detector?.snapshot() ?? this.#spilledState(entry),
        lastTs: entry.lastTs,
        lastAlertAt: entry.lastAlertAt,
      });
    }
    return states;
  }

  /** Marks sensors dirty again after their states failed to save. */
  markDirty(sensors: readonly string[]): void {
    for (const sensor of sensors) {
      const entry = this.#entries.get(sensor);
      if (entry !== undefined) entry.dirty = true;
    }
  }

  /**
   * Revives saved states. A state the detector cannot read (saved by another detector
   * configuration) is skipped and counted: that sensor learns again from zero.
   */
  restore(states: readonly DetectorState[]): { restored: number; skipped: number } {
    let restored = 0;
    this.#runEntry = undefined;
    for (const saved of states) {
      let detector: AnomalyDetector | undefined;
      try {
        detector = this.#options.detector.restore(saved.state);
      } catch {
        detector = undefined;
      }
      if (detector === undefined) continue;
      const known = this.#entries.get(saved.sensor);
      if (known === undefined) {
        const entry: Entry = {
          detector,
          ring: this.#evidence.allocate(),
          longRing: -1,
          lastTs: saved.lastTs,
          lastAlertAt: saved.lastAlertAt,
          dirty: false,
          slot: -1,
          hot: -1,
          used: false,
        };
        this.#admit(entry);
        this.#entries.set(saved.sensor, entry);
      } else {
        this.#bringIn(known);
        known.detector?.release?.();
        known.detector = detector;
        known.lastTs = saved.lastTs;
        known.lastAlertAt = saved.lastAlertAt;
        known.dirty = false;
      }
      restored += 1;
    }
    return { restored, skipped: states.length - restored };
  }

  /** The sensor's entry, its state in memory. */
  #entry(sensor: string): Entry {
    let entry = this.#entries.get(sensor);
    if (entry === undefined) {
      entry = {
        detector: this.#options.detector.create(),
        ring: this.#evidence.allocate(),
        longRing: -1,
        lastTs: Number.NEGATIVE_INFINITY,
        lastAlertAt: null,
        dirty: true,
        slot: -1,
        hot: -1,
        used: false,
      };
      this.#admit(entry);
      this.#entries.set(detachedCopy(sensor), entry);
    } else if (entry.detector === undefined) {
      this.#bringIn(entry);
    }
    return entry;
  }

  /** Puts an entry whose state is in memory on the list, moving another out if the list is full. */
  #admit(entry: Entry): void {
    if (this.#hot.length >= this.#hotLimit) this.#moveOneOut();
    entry.hot = this.#hot.length;
    this.#hot.push(entry);
  }

  /** Reads an entry's state back from the spill (nothing if it is in memory). */
  #bringIn(entry: Entry): void {
    if (entry.detector !== undefined) return;
    const spill = this.#spill as Spill;
    const detector = this.#options.detector.restore(this.#readRecord(entry, spill));
    if (detector === undefined) throw new Error(`the state of a sensor came back from the spill unreadable`);
    // The evidence ring is allocated before anything moves out, so the record read is not overwritten.
    entry.ring = this.#evidence.allocate();
    this.#evidence.load(entry.ring, spill.numbers, 0);
    entry.detector = detector;
    this.revived += 1;
    this.#admit(entry);
  }

  /**
   * Clock (second chance): the hand passes entries used since it last came by, clearing the mark,
   * and moves out the first one not used. Two full rounds without one that can go: stay over.
   */
  #moveOneOut(): void {
    const hot = this.#hot;
    for (let passed = 0; passed < 2 * hot.length; passed++) {
      if (this.#hand >= hot.length) this.#hand = 0;
      const entry = hot[this.#hand] as Entry;
      if (entry.used) {
        entry.used = false;
        this.#hand += 1;
        continue;
      }
      if (!this.#moveOut(entry)) {
        this.#hand += 1;
        continue;
      }
      const last = hot.pop() as Entry;
      if (last !== entry) {
        hot[this.#hand] = last;
        last.hot = this.#hand;
      }
      entry.hot = -1;
      return;
    }
  }

  /** Writes an entry's state and evidence to the spill and frees their memory; false if it does not fit. */
  #moveOut(entry: Entry): boolean {
    const detector = entry.detector as AnomalyDetector;
    const spill = (this.#spill ??= this.#open(this.#stateBytes));
    // Straight into the record where the detector can (no copy allocated on this path).
    let length = detector.snapshotInto?.(spill.bytes, spill.stateAt) ?? -1;
    if (length < 0) {
      const state = detector.snapshot();
      if (state.byteLength > spill.stateBytes) return false;
      spill.bytes.set(state, spill.stateAt);
      length = state.byteLength;
    }
    this.#evidence.save(entry.ring, spill.numbers, 0);
    spill.numbers[spill.lengthAt] = length;
    if (entry.slot < 0) entry.slot = spill.slots++;
    spill.store.write(entry.slot, spill.bytes);
    detector.release?.();
    entry.detector = undefined;
    this.#evidence.free(entry.ring);
    entry.ring = -1;
    this.spilled += 1;
    return true;
  }

  /** The saved state of an entry in the spill, read without bringing it in. */
  #spilledState(entry: Entry): Uint8Array {
    return this.#readRecord(entry, this.#spill as Spill).slice();
  }

  /** Reads an entry's record into the spill's buffer; returns its state's bytes (a view of that buffer). */
  #readRecord(entry: Entry, spill: Spill): Uint8Array {
    spill.store.read(entry.slot, spill.bytes);
    const length = spill.numbers[spill.lengthAt] as number;
    return spill.bytes.subarray(spill.stateAt, spill.stateAt + length);
  }

  #open(stateBytes: number): Spill {
    const open = this.#openSpill;
    if (open === undefined) throw new Error('no spill to move detector states out to');
    // A record: the evidence ring's numbers, the state's length, the state (padded to 8 bytes).
    const ringNumbers = this.#evidence.bytesPerRing / 8;
    const padded = Math.ceil(stateBytes / 8) * 8;
    const bytes = new Uint8Array((ringNumbers + 1) * 8 + padded);
    return {
      store: open(bytes.byteLength),
      bytes,
      numbers: new Float64Array(bytes.buffer),
      lengthAt: ringNumbers,
      stateAt: (ringNumbers + 1) * 8,
      stateBytes: padded,
      slots: 0,
    };
  }
}

/** The open spill and the one record buffer every move goes through. */
interface Spill {
  store: StateSpill;
  bytes: Uint8Array;
  numbers: Float64Array;
  /** Index in `numbers` of the state's length; the ring's numbers come before it. */
  lengthAt: number;
  /** Byte where the state starts. */
  stateAt: number;
  /** Most bytes a state may have. */
  stateBytes: number;
  /** Records handed out. */
  slots: number;
}
