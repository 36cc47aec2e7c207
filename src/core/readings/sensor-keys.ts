/**
 * Below this length V8 makes a slice or a concatenation a string of its own, not a view of its
 * source (`SlicedString::kMinLength` and `ConsString::kMinLength` are 13).
 */
const SHORTEST_VIEW = 13;

/**
 * A copy of `text` that shares no memory with it. A sensor id sliced out of a request body would
 * otherwise keep the whole body alive for as long as the id is kept. A string too short to be a
 * view is its own already: copying each new id of a line-protocol load (JSON's round trip) was 3.6 %
 * of the ingest thread while 100,000 sensors were first seen.
 */
export function detachedCopy(text: string): string {
  return text.length < SHORTEST_VIEW ? text : (JSON.parse(JSON.stringify(text)) as string);
}

/**
 * FNV-1a over the id's UTF-16 code units, started from `seed`, then Murmur3's finaliser: the hash
 * of `shardOf` (adapters/nats/shards.ts) and the finaliser of `newest-readings.ts`, written out
 * here on purpose. This runs once per reading; calling them from a shared module measured 170–180
 * ns a lookup against 99–105 written out (100,000 ids in order, cache cold between bodies).
 */
export function sensorIdHash(id: string, seed: number): number {
  let hash = 0x811c9dc5 ^ seed;
  for (let index = 0; index < id.length; index++) hash = Math.imul(hash ^ id.charCodeAt(index), 0x01000193);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return hash ^ (hash >>> 16);
}

/** Slots probed from an id's home slot before it is kept in the overflow map instead. */
const MAX_PROBES = 32;
const FIRST_CAPACITY = 1024;

/**
 * Dense integer keys for sensor ids, 0, 1, 2… in order of first sight: what a store keeps per
 * reading instead of the id. Ids are kept as detached copies.
 *
 * Looked up for every reading that arrives, so the table is built for that: an open-addressing
 * table of (hash, key) pairs in one `Int32Array`, at most half full, with the hash seeded per
 * table. A `Map` costs three dependent memory reads a lookup (bucket, entry, key string) and this
 * one or two (slot, then the id of a slot whose hash matches): at 100,000 sensors, with the cache
 * cold as it is between request bodies, 285–350 ns against 117–133 when ids come in the order
 * they were first seen (a gateway's batch) and 510–660 against 275–320 in random order. An id
 * whose slots are all taken within `MAX_PROBES` of its home (ids crafted to collide) goes to a
 * plain `Map`, so no input makes lookups slow.
 */
export class SensorKeys {
  readonly #ids: string[] = [];
  /** Slot i: `[2i]` the id's hash, `[2i + 1]` its key + 1 (0: empty). */
  #slots = new Int32Array(2 * FIRST_CAPACITY);
  #mask = FIRST_CAPACITY - 1;
  #count = 0;
  readonly #overflow = new Map<string, number>();
  readonly #seed: number;
  /** The key `keyOf` gave last (−1: none yet). */
  #last = -1;
  /** Whether `keyOf` tries the key after `#last` first: the last lookup found that key. */
  #guessing = false;
  /** Set once an id took a new key (its old key's entry in `#ids` still names it): no more guesses. */
  #rekeyed = false;

  /** `seed` fixes the hash (tests); by default each table draws its own. */
  constructor(seed = (Math.random() * 0x1_0000_0000) | 0) {
    this.#seed = seed;
  }

  /**
   * The id's key, given a new one on first sight. A gateway's batch lists its sensors in the same
   * order each time, and they got their keys in that order when first seen, so while lookups find
   * consecutive keys the key after the last one is tried first, with one comparison and no hashing:
   * the table's memory is read in the order it was written instead of at a hashed slot. Ids in any
   * other order turn the guessing off until a lookup finds the next key again.
   */
  keyOf(id: string): number {
    const guess = this.#last + 1;
    if (this.#guessing && this.#ids[guess] === id) {
      this.#last = guess;
      return guess;
    }
    let key = this.find(id);
    if (key === undefined) {
      key = this.#ids.length;
      this.load(key, detachedCopy(id));
    }
    this.#guessing = key === guess && !this.#rekeyed;
    this.#last = key;
    return key;
  }

  /** The id's key, or undefined if it was never seen. */
  find(id: string): number | undefined {
    const hash = this.#hash(id);
    const slots = this.#slots;
    const mask = this.#mask;
    let slot = hash & mask;
    for (let probe = 0; probe < MAX_PROBES; probe++) {
      const stored = slots[2 * slot + 1] as number;
      if (stored === 0) return undefined;
      if (slots[2 * slot] === hash && this.#ids[stored - 1] === id) return stored - 1;
      slot = (slot + 1) & mask;
    }
    return this.#overflow.size === 0 ? undefined : this.#overflow.get(id);
  }

  idOf(key: number): string | undefined {
    return this.#ids[key];
  }

  /** Restores a key given earlier (e.g. read back from the store's table). */
  load(key: number, id: string): void {
    this.#ids[key] = id;
    if (2 * (this.#count + 1) > this.#mask + 1) this.#grow();
    this.#place(id, key);
    this.#count += 1;
  }

  /** Number of keys given: the next new id gets this one. */
  get size(): number {
    return this.#ids.length;
  }

  /** The ids of keys `from` onwards, in key order. */
  idsFrom(from: number): string[] {
    return this.#ids.slice(from);
  }

  #hash(id: string): number {
    return sensorIdHash(id, this.#seed);
  }

  /**
   * Gives `id` the key `key`; an id placed before gets the new key, as a `Map` would. The probe of
   * `find` again, not shared with it: one shared probe measured 255–260 ns a random-order lookup
   * against 239–245.
   */
  #place(id: string, key: number): void {
    const hash = this.#hash(id);
    const slots = this.#slots;
    let slot = hash & this.#mask;
    for (let probe = 0; probe < MAX_PROBES; probe++) {
      const stored = slots[2 * slot + 1] as number;
      if (stored === 0 || (slots[2 * slot] === hash && this.#ids[stored - 1] === id)) {
        if (stored !== 0 && stored - 1 !== key) this.#forgetOrder();
        slots[2 * slot] = hash;
        slots[2 * slot + 1] = key + 1;
        return;
      }
      slot = (slot + 1) & this.#mask;
    }
    if (this.#overflow.has(id)) this.#forgetOrder();
    this.#overflow.set(id, key);
  }

  /** An id took a new key: its old key's entry in `#ids` still names it, so no guess may be trusted. */
  #forgetOrder(): void {
    this.#rekeyed = true;
    this.#guessing = false;
  }

  /**
   * Doubles the table and places every id again from the hash its slot holds, not hashing its
   * characters again (a million new ids given keys: 515–720 ms against 620–829, three rounds
   * each); those of the overflow map are hashed again.
   */
  #grow(): void {
    const old = this.#slots;
    const capacity = 2 * (this.#mask + 1);
    const slots = new Int32Array(2 * capacity);
    const mask = capacity - 1;
    this.#slots = slots;
    this.#mask = mask;
    const overflow = [...this.#overflow];
    this.#overflow.clear();
    for (let from = 0; from < old.length; from += 2) {
      const stored = old[from + 1] as number;
      if (stored === 0) continue;
      const hash = old[from] as number;
      let slot = hash & mask;
      let probe = 0;
      while (probe < MAX_PROBES && slots[2 * slot + 1] !== 0) {
        slot = (slot + 1) & mask;
        probe += 1;
      }
      if (probe === MAX_PROBES) {
        this.#overflow.set(this.#ids[stored - 1] as string, stored - 1);
        continue;
      }
      slots[2 * slot] = hash;
      slots[2 * slot + 1] = stored;
    }
    for (const [id, key] of overflow) this.#place(id, key);
  }
}
