import { SensorKeys } from '../../core/readings/sensor-keys.ts';
import type { AnomalyDetector } from '../../core/anomaly/detector.ts';

const DIRTY = 1;
const USED = 2;

/**
 * What the detectors keep per sensor beside its state, as columns indexed by a dense row number
 * (0, 1, 2… in order of first sight). A million sensors cost about 110 bytes each here (the id,
 * its map slot and the columns) where an object per sensor cost about 175: these rows stay in
 * memory even for the sensors whose states are out of it.
 */
export class SensorTable {
  /** Sensor id ↔ row: a row is the id's dense key. */
  readonly #keys = new SensorKeys();
  /** The row's detector; undefined while its state is out of memory (in the spill). */
  readonly detectors: (AnomalyDetector | undefined)[] = [];
  /** Timestamp of the row's last reading scored (−∞ before the first). */
  lastTs = new Float64Array(0);
  /** Timestamp of its last alert; NaN for never. */
  lastAlertAt = new Float64Array(0);
  /** Its ring of the last `evidencePoints` points; −1 while out of memory. */
  ring = new Int32Array(0);
  /** Its ring of the last `historyPoints` points, once its scores were asked for or it alerted; −1 before. */
  longRing = new Int32Array(0);
  /** Its record in the spill, from the first time it went out; −1 before. */
  slot = new Int32Array(0);
  #flags = new Uint8Array(0);

  get size(): number {
    return this.#keys.size;
  }

  find(id: string): number | undefined {
    return this.#keys.find(id);
  }

  idOf(row: number): string {
    return this.#keys.idOf(row) as string;
  }

  /** A new row for `id` (which must not have one), its detector `detector`. */
  add(
    id: string,
    detector: AnomalyDetector,
    lastTs: number,
    lastAlertAt: number | null,
    dirty: boolean,
  ): number {
    const row = this.#keys.keyOf(id);
    if (row === this.lastTs.length) this.#grow(Math.max(1024, row * 2));
    this.detectors.push(detector);
    this.lastTs[row] = lastTs;
    this.lastAlertAt[row] = lastAlertAt ?? Number.NaN;
    this.ring[row] = -1;
    this.longRing[row] = -1;
    this.slot[row] = -1;
    this.#flags[row] = dirty ? DIRTY : 0;
    return row;
  }

  alertedAt(row: number): number | null {
    const at = this.lastAlertAt[row] as number;
    return Number.isNaN(at) ? null : at;
  }

  isDirty(row: number): boolean {
    return ((this.#flags[row] as number) & DIRTY) !== 0;
  }

  setDirty(row: number, dirty: boolean): void {
    this.#flags[row] = dirty ? (this.#flags[row] as number) | DIRTY : (this.#flags[row] as number) & ~DIRTY;
  }

  /** Used since the clock hand last passed it (it then stays in memory one more round). */
  isUsed(row: number): boolean {
    return ((this.#flags[row] as number) & USED) !== 0;
  }

  setUsed(row: number, used: boolean): void {
    this.#flags[row] = used ? (this.#flags[row] as number) | USED : (this.#flags[row] as number) & ~USED;
  }

  /** Scored now: changed since its state was last taken, and used for the clock. */
  touch(row: number, ts: number): void {
    this.lastTs[row] = ts;
    this.#flags[row] = DIRTY | USED;
  }

  #grow(capacity: number): void {
    const grown = <T extends Float64Array | Int32Array | Uint8Array>(
      old: T,
      make: (size: number) => T,
    ): T => {
      const array = make(capacity);
      array.set(old);
      return array;
    };
    this.lastTs = grown(this.lastTs, (size) => new Float64Array(size));
    this.lastAlertAt = grown(this.lastAlertAt, (size) => new Float64Array(size));
    this.ring = grown(this.ring, (size) => new Int32Array(size));
    this.longRing = grown(this.longRing, (size) => new Int32Array(size));
    this.slot = grown(this.slot, (size) => new Int32Array(size));
    this.#flags = grown(this.#flags, (size) => new Uint8Array(size));
  }
}
