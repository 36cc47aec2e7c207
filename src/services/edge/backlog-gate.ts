/**
 * Batches waiting for a consumer's backlog (the detectors, on their own thread) to fall to its
 * limit, let through in the order they came. A consumer that lags for a moment (a collection, a
 * burst of sensors met for the first time) then slows acknowledgements down for that moment
 * instead of turning batches away: a client told to retry waits its Retry-After, far longer than
 * the lag. Only a batch that waited `waitMillis` in vain is turned away.
 */
export class BacklogGate {
  readonly #backlog: () => number;
  readonly #limit: number;
  readonly #waitMillis: number;
  readonly #pollMillis: number;
  readonly #waiting: { pass: (room: boolean) => void; until: number }[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * A batch waits at most `waitMillis` (0: turned away at once). `backlog` is asked every
   * `pollMillis` while batches wait (the consumer announces nothing); the timer runs only then, and
   * no longer than the last one's deadline.
   */
  constructor(backlog: () => number, limit: number, waitMillis: number, pollMillis = 5) {
    if (!(limit >= 0)) throw new RangeError(`the backlog limit must be ≥ 0, got ${limit}`);
    if (!(waitMillis >= 0)) throw new RangeError(`the longest wait must be ≥ 0 ms, got ${waitMillis}`);
    if (!(pollMillis > 0)) throw new RangeError(`pollMillis must be > 0, got ${pollMillis}`);
    this.#backlog = backlog;
    this.#limit = limit;
    this.#waitMillis = waitMillis;
    this.#pollMillis = pollMillis;
  }

  /**
   * True once the backlog is at most the limit and every batch that came before has passed (at
   * once when none waits); false when that took longer than the longest wait.
   */
  pass(): Promise<boolean> {
    if (this.#waiting.length === 0 && this.#backlog() <= this.#limit) return Promise.resolve(true);
    if (!(this.#waitMillis > 0)) return Promise.resolve(false);
    return new Promise<boolean>((pass) => {
      this.#waiting.push({ pass, until: performance.now() + this.#waitMillis });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#poll();
    }, this.#pollMillis);
  }

  /** Lets every waiting batch through when there is room, in order; turns away those past their time. */
  #poll(): void {
    const room = this.#backlog() <= this.#limit;
    const now = performance.now();
    // All wait as long, in arrival order: those past their time are the first ones.
    while (this.#waiting.length > 0) {
      const first = this.#waiting[0] as { pass: (room: boolean) => void; until: number };
      if (!room && first.until > now) break;
      this.#waiting.shift();
      first.pass(room);
    }
    if (this.#waiting.length > 0) this.#schedule();
  }
}
