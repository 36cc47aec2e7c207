import { decideAlert } from '../../core/maintenance/alert.ts';
import type { EvidencePoint } from '../../core/maintenance/alert.ts';
import { PointRings } from '../../core/maintenance/point-rings.ts';
import type { Reading } from '../../core/readings/reading.ts';
import type { DetectorState } from '../../ports/maintenance.ts';
import type { Crossing, ScoringOptions } from '../../ports/scoring.ts';
import type { StateSpill } from '../../ports/state-spill.ts';
import type { AnomalyDetector, DetectorSpec } from '../../core/anomaly/detector.ts';
import { SensorTable } from './sensor-table.ts';

export type { Crossing } from '../../ports/scoring.ts';

export interface SensorDetectorsOptions extends ScoringOptions {
  detector: DetectorSpec;
}

/** Opens the spill once the size of its records is known (at the first state moved out). */
export type OpenSpill = (recordBytes: number) => StateSpill;

/** Bytes of heap a sensor whose state is in memory costs beside its state and ring (its detector object). */
const DETECTOR_HEAP_BYTES = 48;

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
  readonly #table = new SensorTable();
  readonly #options: SensorDetectorsOptions;
  readonly #evidence: PointRings;
  readonly #history: PointRings;
  /** Rows whose states are in memory, swept by a clock hand when one must go out. */
  readonly #hot: number[] = [];
  #hand = 0;
  /** Most states kept in memory (from `stateMemoryBytes`); the others wait in the spill. */
  readonly #hotLimit: number;
  readonly #openSpill: OpenSpill | undefined;
  #spill: Spill | undefined;
  /** Bytes of a new detector's state: a spill record's room for one. */
  #stateBytes = 0;
  /** Where the next `takeStates` with `resume` starts its scan. */
  #sweepRow = 0;
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
      const perSensor = this.#stateBytes + this.#evidence.bytesPerRing + DETECTOR_HEAP_BYTES;
      this.#hotLimit = Math.max(1, Math.floor(memory / perSensor));
    }
    this.#openSpill = openSpill;
  }

  get sensorCount(): number {
    return this.#table.size;
  }

  /** Sensors whose states are in memory now, counted (a scan of every sensor: for tests and checks). */
  get inMemory(): number {
    let count = 0;
    for (const detector of this.#table.detectors) if (detector !== undefined) count += 1;
    return count;
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
    this.#runRow = -1;
    for (const reading of readings) this.#score(reading.sensor, reading.ts, reading.value, crossings);
    return crossings;
  }

  /** `process` for a batch held as columns (the form a batch crosses a thread boundary in). */
  processColumns(sensors: readonly string[], timestamps: Float64Array, values: Float64Array): Crossing[] {
    const crossings: Crossing[] = [];
    this.#runRow = -1;
    for (let index = 0; index < sensors.length; index++) {
      this.#score(sensors[index] as string, timestamps[index] as number, values[index] as number, crossings);
    }
    return crossings;
  }

  /**
   * Tells the detectors the sensor ids of store keys (see `ReadingBatch`) that batches given to
   * `processKeyed` will carry. A key is named once, before the first batch that holds it.
   */
  nameKeys(keys: ArrayLike<number>, ids: readonly string[]): void {
    for (let index = 0; index < keys.length; index++) {
      const key = keys[index] as number;
      if (!(Number.isInteger(key) && key >= 0))
        throw new RangeError(`a sensor key must be an integer ≥ 0, got ${key}`);
      if (key >= this.#rowOfKey.length) this.#growKeys(key);
      if ((this.#rowOfKey[key] as number) < 0) this.#keyIds[key] = ids[index] as string;
    }
  }

  /**
   * `processColumns` for a batch whose sensors are given as store keys named through `nameKeys`:
   * a key's row is found by its id once, and from then on by index.
   */
  processKeyed(keys: Int32Array, timestamps: Float64Array, values: Float64Array): Crossing[] {
    const crossings: Crossing[] = [];
    const table = this.#table;
    const rows = this.#rowOfKey;
    this.#runRow = -1;
    if (this.#spill !== undefined) this.#bringInAll(keys);
    for (let index = 0; index < keys.length; index++) {
      const key = keys[index] as number;
      let row = key < rows.length ? (rows[key] as number) : -1;
      if (row < 0) {
        row = this.#row(this.#keyName(key));
        rows[key] = row;
        this.#keyIds[key] = undefined;
      } else if (table.detectors[row] === undefined) {
        this.#bringIn(row);
      }
      this.#scoreRow(row, timestamps[index] as number, values[index] as number, crossings);
    }
    return crossings;
  }

  /** Row of each store key met so far in `processKeyed`; −1 for one not met yet. */
  #rowOfKey = new Int32Array(0);
  /** Ids of the keys named and not met yet. */
  readonly #keyIds: (string | undefined)[] = [];

  #keyName(key: number): string {
    const id = this.#keyIds[key];
    if (id === undefined) throw new Error(`sensor key ${key} came in a batch before its sensor was named`);
    return id;
  }

  #growKeys(key: number): void {
    const grown = new Int32Array(Math.max(key + 1, this.#rowOfKey.length * 2, 1024)).fill(-1);
    grown.set(this.#rowOfKey);
    this.#rowOfKey = grown;
  }

  // Batches from one device repeat its sensor: the row is looked up once per run of readings.
  #runSensor: string | undefined;
  #runRow = -1;

  #score(sensor: string, ts: number, value: number, crossings: Crossing[]): void {
    let row = this.#runRow;
    if (row < 0 || this.#runSensor !== sensor) {
      row = this.#row(sensor);
      this.#runSensor = sensor;
      this.#runRow = row;
    }
    this.#scoreRow(row, ts, value, crossings);
  }

  /** Scores a reading of a row whose state is in memory. */
  #scoreRow(row: number, ts: number, value: number, crossings: Crossing[]): void {
    const table = this.#table;
    if (ts <= (table.lastTs[row] as number)) return;
    table.touch(row, ts);
    const detector = table.detectors[row] as AnomalyDetector;
    const score = detector.update(ts, value);
    this.#evidence.push(table.ring[row] as number, ts, value, score);
    const longRing = table.longRing[row] as number;
    if (longRing >= 0) this.#history.push(longRing, ts, value, score);
    // Below the threshold nothing is raised: skip the decision (and its result object), the
    // common case on this per-reading path.
    const { threshold } = this.#options;
    if (!(score >= threshold)) return;
    if (
      !this.#learning(detector, ts) &&
      decideAlert(
        score,
        threshold,
        ts,
        { lastAlertAt: table.alertedAt(row) },
        this.#options.suppressionMillis,
      ).raise
    ) {
      table.lastAlertAt[row] = ts;
      crossings.push({
        sensor: table.idOf(row),
        ts,
        score,
        evidence: this.#evidence.last(table.ring[row] as number, this.#options.evidencePoints),
      });
      this.#keepHistory(row);
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
    const row = this.#table.find(sensor);
    if (row === undefined) return undefined;
    this.#bringIn(row);
    this.#keepHistory(row);
    return this.#history.between(this.#table.longRing[row] as number, fromMillis, toMillis);
  }

  /** Starts the sensor's long series, from the points its short ring holds. */
  #keepHistory(row: number): void {
    const table = this.#table;
    if ((table.longRing[row] as number) >= 0) return;
    const longRing = this.#history.allocate();
    table.longRing[row] = longRing;
    for (const point of this.#evidence.last(table.ring[row] as number, this.#options.evidencePoints)) {
      this.#history.push(longRing, point.ts, point.value, point.score);
    }
  }

  /**
   * States of the sensors updated since they were last taken (all of them with `all`), at most
   * `limit` of them, marking them clean: a caller takes a million sensors' states in chunks. With
   * `resume` the scan goes on from the row after the last one the previous call took, so the chunks
   * of one sweep take each sensor once, however fast readings change states meanwhile (those
   * changed behind the scan wait for the next sweep); a sweep is over when a call returns fewer
   * than `limit`. Without it the scan starts at the first row.
   */
  takeStates(all = false, limit = Number.POSITIVE_INFINITY, resume = false): DetectorState[] {
    const table = this.#table;
    const states: DetectorState[] = [];
    if (all) for (let row = 0; row < table.size; row++) table.setDirty(row, true);
    const taken: number[] = [];
    /** The taken states of rows out of memory, their bytes still to read. */
    const out = new Map<number, DetectorState>();
    let row = resume ? this.#sweepRow : 0;
    for (; row < table.size; row++) {
      if (states.length >= limit) break;
      if (!table.isDirty(row)) continue;
      table.setDirty(row, false);
      taken.push(row);
      const detector = table.detectors[row];
      const saved = {
        sensor: table.idOf(row),
        state: detector?.snapshot() ?? EMPTY_STATE,
        lastTs: table.lastTs[row] as number,
        lastAlertAt: table.alertedAt(row),
      };
      if (detector === undefined) out.set(row, saved);
      states.push(saved);
    }
    // The states out of memory, read from the spill in runs, not one read each.
    if (out.size > 0) {
      const spill = this.#spill as Spill;
      try {
        this.#readRuns([...out.keys()], spill, (row, index) => {
          (out.get(row) as DetectorState).state = recordState(spill, index).slice();
        });
      } catch (error) {
        // Nothing is taken: all of them wait for the next try.
        for (const row of taken) table.setDirty(row, true);
        throw error;
      }
    }
    this.#sweepRow = row;
    return states;
  }

  /** Marks sensors dirty again after their states failed to save. */
  markDirty(sensors: readonly string[]): void {
    for (const sensor of sensors) {
      const row = this.#table.find(sensor);
      if (row !== undefined) this.#table.setDirty(row, true);
    }
  }

  /**
   * Revives saved states. A state the detector cannot read (saved by another detector
   * configuration) is skipped and counted: that sensor learns again from zero.
   */
  restore(states: readonly DetectorState[]): { restored: number; skipped: number } {
    const table = this.#table;
    let restored = 0;
    this.#runRow = -1;
    for (const saved of states) {
      let detector: AnomalyDetector | undefined;
      try {
        detector = this.#options.detector.restore(saved.state);
      } catch {
        detector = undefined;
      }
      if (detector === undefined) continue;
      let row = table.find(saved.sensor);
      if (row === undefined) {
        row = table.add(saved.sensor, detector, saved.lastTs, saved.lastAlertAt, false);
        table.ring[row] = this.#evidence.allocate();
        this.#admit(row);
      } else {
        this.#bringIn(row);
        table.detectors[row]?.release?.();
        table.detectors[row] = detector;
        table.lastTs[row] = saved.lastTs;
        table.lastAlertAt[row] = saved.lastAlertAt ?? Number.NaN;
        table.setDirty(row, false);
      }
      restored += 1;
    }
    return { restored, skipped: states.length - restored };
  }

  /** The sensor's row, its state in memory. */
  #row(sensor: string): number {
    const table = this.#table;
    let row = table.find(sensor);
    if (row === undefined) {
      row = table.add(sensor, this.#options.detector.create(), Number.NEGATIVE_INFINITY, null, true);
      table.ring[row] = this.#evidence.allocate();
      this.#admit(row);
    } else if (table.detectors[row] === undefined) {
      this.#bringIn(row);
    }
    return row;
  }

  /** Puts a row whose state is in memory on the list, moving another out if the list is full. */
  #admit(row: number): void {
    try {
      if (this.#hot.length >= this.#hotLimit) this.#moveSomeOut();
    } finally {
      // On the clock even when moving others out failed: its state is in memory either way.
      this.#hot.push(row);
    }
  }

  /** Reads a row's state back from the spill (nothing if it is in memory). */
  #bringIn(row: number): void {
    const table = this.#table;
    if (table.detectors[row] !== undefined) return;
    const spill = this.#spill as Spill;
    this.#readRuns([row], spill, (out, index) => this.#revive(out, spill, index));
  }

  /**
   * Reads back, before a batch is scored, the states of its sensors that are out, in runs
   * (`#readRuns`): a batch of 5,000 sensors out costs tens of reads instead of 5,000. At most half
   * the states memory holds, so that none of them is moved out again before its reading is scored.
   */
  #bringInAll(keys: Int32Array): void {
    const table = this.#table;
    const rows = this.#rowOfKey;
    const spill = this.#spill as Spill;
    const wanted: number[] = [];
    const most = Math.floor(this.#hotLimit / 2);
    for (let index = 0; index < keys.length && wanted.length < most; index++) {
      const key = keys[index] as number;
      const row = key < rows.length ? (rows[key] as number) : -1;
      // A row out of memory is never marked used (the clock clears the mark before moving a row
      // out), so here the mark says "wanted already": a sensor met twice in a batch comes back once.
      // The mark stays as the row comes back (only rows on the clock lose it), so the clock passes
      // it once before it may go out again.
      if (row < 0 || table.detectors[row] !== undefined || table.isUsed(row)) continue;
      table.setUsed(row, true);
      wanted.push(row);
    }
    try {
      this.#readRuns(wanted, spill, (row, index) => this.#revive(row, spill, index));
    } catch (error) {
      // The rows not read stay out, unmarked, as they were.
      for (const row of wanted) if (table.detectors[row] === undefined) table.setUsed(row, false);
      throw error;
    }
  }

  /**
   * Reads the records of `rows` (all out of memory) sorted by their place in the spill, in runs (a
   * gap of up to two records read through rather than read twice), and calls `visit` with each row
   * and its record's index in the read buffer, before the next run is read.
   */
  #readRuns(rows: number[], spill: Spill, visit: (row: number, index: number) => void): void {
    const slot = this.#table.slot;
    rows.sort((a, b) => (slot[a] as number) - (slot[b] as number));
    const capacity = spill.readBuffer.byteLength / spill.recordBytes;
    let start = 0;
    while (start < rows.length) {
      const first = slot[rows[start] as number] as number;
      let end = start + 1;
      while (end < rows.length) {
        const next = slot[rows[end] as number] as number;
        const previous = slot[rows[end - 1] as number] as number;
        if (next - previous > READ_THROUGH_GAP + 1 || next - first >= capacity) break;
        end += 1;
      }
      const last = slot[rows[end - 1] as number] as number;
      spill.store.read(first, spill.readBuffer.subarray(0, (last - first + 1) * spill.recordBytes));
      for (let at = start; at < end; at++) {
        const row = rows[at] as number;
        visit(row, (slot[row] as number) - first);
      }
      start = end;
    }
  }

  /** Restores a row from record `index` of the read buffer, frees its slot and puts it in memory. */
  #revive(row: number, spill: Spill, index: number): void {
    const table = this.#table;
    const detector = this.#options.detector.restore(recordState(spill, index));
    if (detector === undefined) throw new Error(`the state of a sensor came back from the spill unreadable`);
    const ring = this.#evidence.allocate();
    table.ring[row] = ring;
    this.#evidence.load(ring, spill.readNumbers, (index * spill.recordBytes) / 8);
    table.detectors[row] = detector;
    spill.free.push(table.slot[row] as number);
    table.slot[row] = -1;
    this.revived += 1;
    this.#admit(row);
  }

  /**
   * Clock (second chance): the hand passes rows used since it last came by, clearing the mark,
   * and moves out the first ones not used, up to a write's worth (one when memory holds few
   * states). Two full rounds without one that can go: stay over.
   */
  #moveSomeOut(): void {
    const hot = this.#hot;
    const table = this.#table;
    const spill = (this.#spill ??= this.#open(this.#stateBytes));
    const wanted = Math.max(
      1,
      Math.min(spill.writeBuffer.byteLength / spill.recordBytes, this.#hotLimit >> 4),
    );
    const out: number[] = [];
    for (let passed = 0; passed < 2 * hot.length && out.length < wanted && hot.length > 0; passed++) {
      if (this.#hand >= hot.length) this.#hand = 0;
      const row = hot[this.#hand] as number;
      if (table.isUsed(row)) {
        table.setUsed(row, false);
        this.#hand += 1;
        continue;
      }
      if (!this.#pack(row, spill, out.length)) {
        this.#hand += 1;
        continue;
      }
      out.push(row);
      const last = hot.pop() as number;
      if (last !== row) hot[this.#hand] = last;
    }
    if (out.length === 0) return;
    try {
      this.#writeOut(out, spill);
    } catch (error) {
      // None of them left memory: back on the clock, for the next move out to try again.
      hot.push(...out);
      throw error;
    }
  }

  /** Writes a row's state and evidence into record `index` of the write buffer; false if it does not fit. */
  #pack(row: number, spill: Spill, index: number): boolean {
    const table = this.#table;
    const detector = table.detectors[row] as AnomalyDetector;
    const base = index * spill.recordBytes;
    // Straight into the record where the detector can (no copy allocated on this path); a state
    // longer than a record's room spills into the next record's bytes, written over after.
    let length = detector.snapshotInto?.(spill.writeBuffer, base + spill.stateAt) ?? -1;
    if (length > spill.stateBytes) return false;
    if (length < 0) {
      const state = detector.snapshot();
      if (state.byteLength > spill.stateBytes) return false;
      spill.writeBuffer.set(state, base + spill.stateAt);
      length = state.byteLength;
    }
    this.#evidence.save(table.ring[row] as number, spill.writeNumbers, base / 8);
    spill.writeNumbers[base / 8 + spill.lengthAt] = length;
    return true;
  }

  /**
   * Gives the rows packed into the write buffer a slot each (freed ones first, in order, so that
   * records packed together lie together) and writes each run of consecutive slots at once, then
   * frees the rows' memory.
   */
  #writeOut(out: readonly number[], spill: Spill): void {
    const table = this.#table;
    const slots = new Int32Array(out.length);
    for (let index = 0; index < out.length; index++) slots[index] = spill.free.pop() ?? spill.slots++;
    slots.sort();
    try {
      let start = 0;
      while (start < out.length) {
        let end = start + 1;
        while (end < out.length && slots[end] === (slots[end - 1] as number) + 1) end += 1;
        const bytes = spill.writeBuffer.subarray(start * spill.recordBytes, end * spill.recordBytes);
        spill.store.write(slots[start] as number, bytes);
        start = end;
      }
    } catch (error) {
      // The slots hold nobody's record yet: free again.
      spill.free.push(...slots);
      throw error;
    }
    for (let index = 0; index < out.length; index++) {
      const row = out[index] as number;
      table.slot[row] = slots[index] as number;
      table.detectors[row]?.release?.();
      table.detectors[row] = undefined;
      this.#evidence.free(table.ring[row] as number);
      table.ring[row] = -1;
    }
    this.spilled += out.length;
  }

  #open(stateBytes: number): Spill {
    const open = this.#openSpill;
    if (open === undefined) throw new Error('no spill to move detector states out to');
    // A record: the evidence ring's numbers, the state's length, the state (padded to 8 bytes).
    const ringNumbers = this.#evidence.bytesPerRing / 8;
    const padded = Math.ceil(stateBytes / 8) * 8;
    const recordBytes = (ringNumbers + 1) * 8 + padded;
    const records = Math.max(1, Math.min(BUFFER_RECORDS, Math.floor(BUFFER_BYTES / recordBytes)));
    const readBuffer = new Uint8Array(records * recordBytes);
    const writeBuffer = new Uint8Array(records * recordBytes);
    return {
      store: open(recordBytes),
      recordBytes,
      readBuffer,
      readNumbers: new Float64Array(readBuffer.buffer),
      writeBuffer,
      writeNumbers: new Float64Array(writeBuffer.buffer),
      lengthAt: ringNumbers,
      stateAt: (ringNumbers + 1) * 8,
      stateBytes: padded,
      slots: 0,
      free: [],
    };
  }
}

const EMPTY_STATE = new Uint8Array(0);

/** The state held in record `index` of the spill's read buffer (a view of the buffer). */
function recordState(spill: Spill, index: number): Uint8Array {
  const base = index * spill.recordBytes;
  const length = spill.readNumbers[base / 8 + spill.lengthAt] as number;
  return spill.readBuffer.subarray(base + spill.stateAt, base + spill.stateAt + length);
}

/** Records between two wanted ones that a read takes too, instead of reading twice. */
const READ_THROUGH_GAP = 2;
/** Most records, and bytes, a read or a write moves at once. */
const BUFFER_RECORDS = 512;
const BUFFER_BYTES = 1 << 20;

/** The open spill and the two buffers records are read into and written from. */
interface Spill {
  store: StateSpill;
  recordBytes: number;
  readBuffer: Uint8Array;
  readNumbers: Float64Array;
  writeBuffer: Uint8Array;
  writeNumbers: Float64Array;
  /** Index in a record's numbers of the state's length; the ring's numbers come before it. */
  lengthAt: number;
  /** Byte of a record where the state starts. */
  stateAt: number;
  /** Most bytes a state may have. */
  stateBytes: number;
  /** Records handed out (the spill's length). */
  slots: number;
  /** Slots whose rows are in memory again, for the next rows moved out. */
  free: number[];
}
