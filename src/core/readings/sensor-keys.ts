/**
 * A copy of `text` that shares no memory with it. A sensor id sliced out of a request body would
 * otherwise keep the whole body alive for as long as the id is kept.
 */
export function detachedCopy(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

/**
 * Dense integer keys for sensor ids, 0, 1, 2… in order of first sight: what a store keeps per
 * reading instead of the id. Ids are kept as detached copies.
 */
export class SensorKeys {
  readonly #keys = new Map<string, number>();
  readonly #ids: string[] = [];

  /** The id's key, given a new one on first sight. */
  keyOf(id: string): number {
    let key = this.#keys.get(id);
    if (key === undefined) {
      key = this.#ids.length;
      this.load(key, detachedCopy(id));
    }
    return key;
  }

  /** The id's key, or undefined if it was never seen. */
  find(id: string): number | undefined {
    return this.#keys.get(id);
  }

  idOf(key: number): string | undefined {
    return this.#ids[key];
  }

  /** Restores a key given earlier (e.g. read back from the store's table). */
  load(key: number, id: string): void {
    this.#ids[key] = id;
    this.#keys.set(id, key);
  }

  /** Number of keys given: the next new id gets this one. */
  get size(): number {
    return this.#ids.length;
  }

  /** The ids of keys `from` onwards, in key order. */
  idsFrom(from: number): string[] {
    return this.#ids.slice(from);
  }
}
