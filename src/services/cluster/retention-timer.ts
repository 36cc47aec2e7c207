import type { RetentionPolicy } from '../../ports/reading-store.ts';

export interface RetentionTimerOptions {
  store: { applyRetention(nowMillis: number, policy: RetentionPolicy): Promise<number> };
  policy: RetentionPolicy;
  intervalMillis: number;
  clock?: () => number;
  onError(error: unknown): void;
  log?: (line: string) => void;
}

/**
 * Applies the retention policy to the cluster's store every `intervalMillis` (the first run one
 * period after start). A run still going when the next is due is not doubled; failures go to
 * `onError` and the next period tries again. Dropping a day twice (two API processes) is harmless.
 */
export class RetentionTimer {
  readonly #options: RetentionTimerOptions;
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<void> | undefined;

  constructor(options: RetentionTimerOptions) {
    if (!(options.intervalMillis > 0)) throw new RangeError('intervalMillis must be positive');
    this.#options = options;
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.run(), this.#options.intervalMillis);
    this.#timer.unref();
  }

  /** One retention run now (shared with one in progress); never rejects. */
  run(): Promise<void> {
    const { store, policy, clock = Date.now, onError, log } = this.#options;
    this.#running ??= store
      .applyRetention(clock(), policy)
      .then((dropped) => {
        if (dropped > 0) log?.(`retention: ${dropped} readings dropped`);
      })
      .catch(onError)
      .finally(() => {
        this.#running = undefined;
      });
    return this.#running;
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
