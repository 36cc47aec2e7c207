import type { EvidencePoint } from './alert.ts';

/** Rings per slab: one typed array holds this many sensors' rings, so a ring costs no object of its own. */
const ringsPerSlab = 1024;

/**
 * Many fixed-size rings of (ts, value, score) points, one per sensor, packed into shared
 * Float64Array slabs: 24 bytes a point plus 16 bytes a ring, with no per-ring object. A ring keeps the
 * most recent `pointsPerRing` points of its sensor: the evidence window of alerts and the score
 * series the dashboard draws.
 */
export class PointRings {
  readonly pointsPerRing: number;
  readonly #stride: number;
  readonly #slabs: Float64Array[] = [];
  #rings = 0;
  /** Rings given back, handed out again before new ones. */
  readonly #freed: number[] = [];

  constructor(pointsPerRing: number) {
    if (!Number.isInteger(pointsPerRing) || pointsPerRing < 1) {
      throw new RangeError(`pointsPerRing must be a positive integer, got ${pointsPerRing}`);
    }
    this.pointsPerRing = pointsPerRing;
    // Layout of a ring: [next, count, ts0, value0, score0, ts1, ...].
    this.#stride = 2 + 3 * pointsPerRing;
  }

  /** Bytes of one ring's data. */
  get bytesPerRing(): number {
    return this.#stride * 8;
  }

  /** Rings in use. */
  get size(): number {
    return this.#rings - this.#freed.length;
  }

  /** A new, empty ring; returns its number. */
  allocate(): number {
    const reused = this.#freed.pop();
    if (reused !== undefined) {
      const [slab, base] = this.#locate(reused);
      slab[base] = 0;
      slab[base + 1] = 0;
      return reused;
    }
    const ring = this.#rings;
    if (ring % ringsPerSlab === 0) this.#slabs.push(new Float64Array(ringsPerSlab * this.#stride));
    this.#rings += 1;
    return ring;
  }

  /** Adds a point (the per-reading path: no allocation). */
  push(ring: number, ts: number, value: number, score: number): void {
    const slab = this.#slab(ring);
    const base = (ring % ringsPerSlab) * this.#stride;
    const next = slab[base] as number;
    const at = base + 2 + 3 * next;
    slab[at] = ts;
    slab[at + 1] = value;
    slab[at + 2] = score;
    slab[base] = next + 1 === this.pointsPerRing ? 0 : next + 1;
    if ((slab[base + 1] as number) < this.pointsPerRing) slab[base + 1] = (slab[base + 1] as number) + 1;
  }

  /** Points the ring holds. */
  count(ring: number): number {
    const [slab, base] = this.#locate(ring);
    return slab[base + 1] as number;
  }

  /** The last `limit` points of a ring, oldest first. */
  last(ring: number, limit: number): EvidencePoint[] {
    const [slab, base] = this.#locate(ring);
    const next = slab[base] as number;
    const take = Math.max(0, Math.min(limit, slab[base + 1] as number));
    const points: EvidencePoint[] = [];
    for (let k = take; k >= 1; k -= 1) {
      const at = base + 2 + 3 * ((next - k + this.pointsPerRing) % this.pointsPerRing);
      points.push({ ts: slab[at] as number, value: slab[at + 1] as number, score: slab[at + 2] as number });
    }
    return points;
  }

  /** Points with fromMillis <= ts < toMillis, oldest first (in arrival order). */
  between(ring: number, fromMillis: number, toMillis: number): EvidencePoint[] {
    return this.last(ring, this.pointsPerRing).filter(
      (point) => point.ts >= fromMillis && point.ts < toMillis,
    );
  }

  /** Gives a ring back for a later `allocate`; its number must not be used after. */
  free(ring: number): void {
    this.#slab(ring);
    this.#freed.push(ring);
  }

  /** Copies a ring's data (`bytesPerRing / 8` numbers) into `into` from index `at`. */
  save(ring: number, into: Float64Array, at: number): void {
    const [slab, base] = this.#locate(ring);
    into.set(slab.subarray(base, base + this.#stride), at);
  }

  /** Sets a ring's data from what `save` wrote into `from` at index `at`. */
  load(ring: number, from: Float64Array, at: number): void {
    const [slab, base] = this.#locate(ring);
    slab.set(from.subarray(at, at + this.#stride), base);
  }

  #locate(ring: number): [Float64Array, number] {
    return [this.#slab(ring), (ring % ringsPerSlab) * this.#stride];
  }

  #slab(ring: number): Float64Array {
    const slab = this.#slabs[Math.floor(ring / ringsPerSlab)];
    if (slab === undefined || ring < 0 || ring >= this.#rings) throw new RangeError(`no ring ${ring}`);
    return slab;
  }
}
