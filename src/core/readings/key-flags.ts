/**
 * One flag per key of `SensorKeys` (dense whole numbers from 0), in a byte array that grows as
 * larger keys come: "known", "present" and the like for a sensor, without hashing its id again.
 */
export class KeyFlags {
  #flags = new Uint8Array(1024);

  has(key: number): boolean {
    return key < this.#flags.length && this.#flags[key] === 1;
  }

  /** Sets the flag of `key`; true if it was not set. */
  set(key: number): boolean {
    if (key >= this.#flags.length) {
      const grown = new Uint8Array(Math.max(key + 1, this.#flags.length * 2));
      grown.set(this.#flags);
      this.#flags = grown;
    }
    if (this.#flags[key] === 1) return false;
    this.#flags[key] = 1;
    return true;
  }

  /** Clears the flag of `key`; true if it was set. */
  clear(key: number): boolean {
    if (!this.has(key)) return false;
    this.#flags[key] = 0;
    return true;
  }

  clearAll(): void {
    this.#flags.fill(0);
  }
}
