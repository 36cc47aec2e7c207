import type { KeyedReadings } from '../../ports/reading-store.ts';

/** A fixed-capacity columnar buffer of keyed readings waiting to be flushed. */
export class ReadingBuffer implements KeyedReadings {
  readonly keys: Uint32Array;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  length = 0;

  constructor(readonly capacity: number) {
    this.keys = new Uint32Array(capacity);
    this.timestamps = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
  }

  get free(): number {
    return this.capacity - this.length;
  }

  /** Adds one reading; the caller checks `free` first. */
  push(key: number, ts: number, value: number): void {
    const row = this.length++;
    this.keys[row] = key;
    this.timestamps[row] = ts;
    this.values[row] = value;
  }

  clear(): void {
    this.length = 0;
  }
}
