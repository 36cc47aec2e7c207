/** Slots filled at most this far before the table doubles. */
const maxLoad = 0.75;

/**
 * The newest timestamp a shard processor knows to be the upper bound of each sensor's stored
 * readings, in a compact open-addressing table: a sensor is kept as a 64-bit hash of its id (two
 * 32-bit halves) next to a float64 time, 16 bytes a slot, about 21 to 43 bytes a sensor as the
 * table fills and doubles (no per-sensor string or object). Two ids with the same 64-bit hash
 * (about one chance in 10^8 among a million sensors) would share an entry.
 */
export class NewestReadings {
  #high: Uint32Array;
  #low: Uint32Array;
  #newest: Float64Array;
  #size = 0;

  constructor(initialSlots = 1_024) {
    const slots = 2 ** Math.ceil(Math.log2(Math.max(16, initialSlots)));
    this.#high = new Uint32Array(slots);
    this.#low = new Uint32Array(slots);
    this.#newest = new Float64Array(slots);
  }

  /** Sensors recorded. */
  get size(): number {
    return this.#size;
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.#high.byteLength + this.#low.byteLength + this.#newest.byteLength;
  }

  /** The sensor's newest recorded timestamp; undefined when the sensor is not recorded. */
  get(sensor: string): number | undefined {
    const slot = this.#find(sensor);
    return slot < 0 ? undefined : this.#newest[slot];
  }

  /**
   * For a recorded sensor and a timestamp newer than its newest: records the timestamp and returns
   * true. Otherwise (not recorded, or not newer) changes nothing and returns false.
   */
  advance(sensor: string, ts: number): boolean {
    const slot = this.#find(sensor);
    if (slot < 0 || !(ts > this.#newest[slot]!)) return false;
    this.#newest[slot] = ts;
    return true;
  }

  /** Records the sensor with `ts` as its newest, or raises its newest to `ts`; never lowers it. */
  raise(sensor: string, ts: number): void {
    hash(sensor);
    let slot = this.#slotOf(hashHigh, hashLow);
    if (this.#high[slot] === hashHigh && this.#low[slot] === hashLow) {
      if (ts > this.#newest[slot]!) this.#newest[slot] = ts;
      return;
    }
    if (this.#size + 1 > this.#high.length * maxLoad) {
      this.#grow();
      slot = this.#slotOf(hashHigh, hashLow);
    }
    this.#high[slot] = hashHigh;
    this.#low[slot] = hashLow;
    this.#newest[slot] = ts;
    this.#size += 1;
  }

  /** The sensor's slot, or -1. */
  #find(sensor: string): number {
    hash(sensor);
    const slot = this.#slotOf(hashHigh, hashLow);
    return this.#high[slot] === hashHigh && this.#low[slot] === hashLow ? slot : -1;
  }

  /** The slot holding the hash, or the empty slot where it belongs (linear probing). */
  #slotOf(high: number, low: number): number {
    const mask = this.#high.length - 1;
    for (let slot = low & mask; ; slot = (slot + 1) & mask) {
      const slotHigh = this.#high[slot]!;
      const slotLow = this.#low[slot]!;
      if ((slotHigh === high && slotLow === low) || (slotHigh | slotLow) === 0) return slot;
    }
  }

  #grow(): void {
    const [high, low, newest] = [this.#high, this.#low, this.#newest];
    this.#high = new Uint32Array(high.length * 2);
    this.#low = new Uint32Array(high.length * 2);
    this.#newest = new Float64Array(high.length * 2);
    for (let slot = 0; slot < high.length; slot += 1) {
      if ((high[slot]! | low[slot]!) === 0) continue;
      const target = this.#slotOf(high[slot]!, low[slot]!);
      this.#high[target] = high[slot]!;
      this.#low[target] = low[slot]!;
      this.#newest[target] = newest[slot]!;
    }
  }
}

// The last hash, in two module variables: no array or object per lookup on the hot path.
let hashHigh = 0;
let hashLow = 0;

/** Two independent 32-bit hashes of the id (FNV-1a and a Murmur-style mix, each finalised); never both 0. */
function hash(sensor: string): void {
  let a = 0x811c9dc5;
  let b = 0x9747b28c ^ sensor.length;
  for (let index = 0; index < sensor.length; index += 1) {
    const code = sensor.charCodeAt(index);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x5bd1e995);
    b ^= b >>> 15;
  }
  hashHigh = finish(a) >>> 0;
  hashLow = finish(b) >>> 0;
  if ((hashHigh | hashLow) === 0) hashLow = 1;
}

/** Murmur3's 32-bit finaliser: every input bit reaches every output bit. */
function finish(value: number): number {
  let mixed = value ^ (value >>> 16);
  mixed = Math.imul(mixed, 0x85ebca6b);
  mixed ^= mixed >>> 13;
  mixed = Math.imul(mixed, 0xc2b2ae35);
  return mixed ^ (mixed >>> 16);
}
