/** How an outage went, once it is over: its length and the failures counted meanwhile. */
export interface OutageEnd {
  seconds: number;
  failures: number;
}

/**
 * Outages of things that keep failing (a store, an engine, a periodic task), keyed by what failed.
 * The first failure opens an outage and the caller reports it; later failures are only counted;
 * the first success closes it and gives its length and count. So a failure that repeats every
 * second is two log lines, not one per attempt.
 */
export class Outages<K> {
  readonly #open = new Map<K, { sinceMillis: number; failures: number }>();

  constructor(private readonly nowMillis: () => number) {}

  /** Counts a failure of `key`; true if it opens an outage (the one to report). */
  failed(key: K): boolean {
    const outage = this.#open.get(key);
    if (outage !== undefined) {
      outage.failures += 1;
      return false;
    }
    this.#open.set(key, { sinceMillis: this.nowMillis(), failures: 1 });
    return true;
  }

  /** `key` worked: ends its outage and tells how it went, or undefined if none was open. */
  succeeded(key: K): OutageEnd | undefined {
    const outage = this.#open.get(key);
    if (outage === undefined) return undefined;
    this.#open.delete(key);
    return { seconds: (this.nowMillis() - outage.sinceMillis) / 1_000, failures: outage.failures };
  }

  isDown(key: K): boolean {
    return this.#open.has(key);
  }
}

/** `2.5 s, 3 failures`: the end of an outage as its closing log line says it. */
export function describeOutageEnd(end: OutageEnd): string {
  return `${end.seconds.toFixed(1)} s, ${end.failures} failure${end.failures === 1 ? '' : 's'}`;
}
