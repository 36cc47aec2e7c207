import { sensorAt, type ReadingBatch } from '../../core/readings/reading-batch.ts';

/** Store keys met for the first time in a batch, with their sensors' ids. */
export interface KeyNames {
  keys: Int32Array;
  ids: string[];
}

/**
 * The store keys whose sensor ids a scoring engine has been told: each id goes over once, with
 * the first batch that holds its key, and later batches carry only keys.
 */
export class NamedKeys {
  #named = new Uint8Array(1024);

  /** The keys of a batch not named before (each once), with their ids; from now on they count as named. */
  take(keys: Int32Array, readings: ReadingBatch): KeyNames {
    const fresh: number[] = [];
    const ids: string[] = [];
    for (let index = 0; index < keys.length; index++) {
      const key = keys[index] as number;
      if (key < this.#named.length && this.#named[key] === 1) continue;
      if (key >= this.#named.length) this.#grow(key);
      this.#named[key] = 1;
      fresh.push(key);
      ids.push(sensorAt(readings, index));
    }
    return { keys: Int32Array.from(fresh), ids };
  }

  #grow(key: number): void {
    const grown = new Uint8Array(Math.max(key + 1, this.#named.length * 2));
    grown.set(this.#named);
    this.#named = grown;
  }
}
