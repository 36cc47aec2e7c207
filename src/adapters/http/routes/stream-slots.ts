/** How many live streams may be open at once: each costs memory (its queue) and CPU per reading. */
export interface StreamLimits {
  /** In all, whatever the key. */
  maxTotal: number;
  /** With one API key. */
  maxPerKey: number;
}

export const defaultStreamLimits: StreamLimits = { maxTotal: 256, maxPerKey: 8 };

export type StreamSlot = { ok: true; release(): void } | { ok: false; error: string };

/** Counts the open live streams, in all and per key, against their limits. */
export class StreamSlots {
  readonly #limits: StreamLimits;
  readonly #perKey = new Map<string, number>();
  #total = 0;

  constructor(limits: StreamLimits) {
    for (const [name, value] of Object.entries(limits))
      if (!Number.isInteger(value) || value < 1)
        throw new RangeError(`${name} must be a positive integer, got ${value}`);
    this.#limits = limits;
  }

  get total(): number {
    return this.#total;
  }

  /** A slot for a stream of `keyId`, to release when the stream ends; or why there is none. */
  take(keyId: string): StreamSlot {
    const { maxTotal, maxPerKey } = this.#limits;
    const held = this.#perKey.get(keyId) ?? 0;
    if (held >= maxPerKey)
      return {
        ok: false,
        error: `this API key already has ${held} live streams open, the most one key may hold (--max-streams-per-key); close one first`,
      };
    if (this.#total >= maxTotal)
      return {
        ok: false,
        error: `the server already serves ${this.#total} live streams, the most it serves at once (--max-streams); try again later`,
      };
    this.#perKey.set(keyId, held + 1);
    this.#total += 1;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.#total -= 1;
        const left = (this.#perKey.get(keyId) ?? 1) - 1;
        if (left === 0) this.#perKey.delete(keyId);
        else this.#perKey.set(keyId, left);
      },
    };
  }
}
