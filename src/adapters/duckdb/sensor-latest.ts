import type { LatestValue } from '../../ports/reading-queries.ts';

/** Newest (ts, value) per dense sensor key, in typed arrays that grow by doubling. */
export class SensorLatest {
  private timestamps = new Float64Array(1024).fill(Number.NEGATIVE_INFINITY);
  private values = new Float64Array(1024);

  /** Records the reading if it is newer than the newest known; returns whether it was. */
  offer(key: number, ts: number, value: number): boolean {
    if (key >= this.timestamps.length) this.grow(key);
    if (ts <= (this.timestamps[key] as number)) return false;
    this.timestamps[key] = ts;
    this.values[key] = value;
    return true;
  }

  get(key: number): LatestValue | undefined {
    const ts = this.timestamps[key];
    if (ts === undefined || ts === Number.NEGATIVE_INFINITY) return undefined;
    return { ts, value: this.values[key] as number };
  }

  /** Calls `visit` for each sensor whose newest reading is older than `ts`. */
  forEachOlderThan(ts: number, visit: (key: number, ts: number, value: number) => void): void {
    const { timestamps, values } = this;
    for (let key = 0; key < timestamps.length; key++) {
      const newest = timestamps[key] as number;
      if (newest !== Number.NEGATIVE_INFINITY && newest < ts) visit(key, newest, values[key] as number);
    }
  }

  private grow(key: number): void {
    let size = this.timestamps.length;
    while (size <= key) size *= 2;
    const timestamps = new Float64Array(size).fill(Number.NEGATIVE_INFINITY);
    timestamps.set(this.timestamps);
    const values = new Float64Array(size);
    values.set(this.values);
    this.timestamps = timestamps;
    this.values = values;
  }
}
