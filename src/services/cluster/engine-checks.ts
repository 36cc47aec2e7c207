import type { Engine, EngineHealth } from './engine-health.ts';
import { describeError } from '../../core/describe-error.ts';

export interface EngineCheck {
  engine: Engine;
  /** A cheap round trip (`SELECT 1`); rejects while the engine does not answer. */
  check(): Promise<unknown>;
}

export interface EngineChecksOptions {
  health: EngineHealth;
  checks: readonly EngineCheck[];
  intervalMillis: number;
  /** A check not answered within this time counts as failed. */
  timeoutMillis: number;
}

/**
 * Checks each engine every `intervalMillis` and reports the result to `health`. A check still
 * running when the next is due is not started twice; the loop never throws.
 */
export class EngineChecks {
  readonly #options: EngineChecksOptions;
  readonly #running = new Map<EngineCheck, Promise<void>>();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: EngineChecksOptions) {
    if (!(options.intervalMillis > 0)) throw new RangeError('intervalMillis must be positive');
    if (!(options.timeoutMillis > 0)) throw new RangeError('timeoutMillis must be positive');
    this.#options = options;
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.checkNow(), this.#options.intervalMillis);
  }

  /** Runs every check not already running; resolves when they have reported. */
  async checkNow(): Promise<void> {
    await Promise.all(
      this.#options.checks.map((check) => {
        let running = this.#running.get(check);
        if (running === undefined) {
          running = this.#run(check).finally(() => this.#running.delete(check));
          this.#running.set(check, running);
        }
        return running;
      }),
    );
  }

  /** Stops the loop; waits for checks in flight (each ends within `timeoutMillis`). */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await Promise.all(this.#running.values());
  }

  async #run(check: EngineCheck): Promise<void> {
    const { health, timeoutMillis } = this.#options;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMillis} ms`)), timeoutMillis);
    });
    try {
      await Promise.race([check.check(), timeout]);
      health.succeeded(check.engine);
    } catch (error) {
      health.failed(check.engine, describeError(error));
    } finally {
      clearTimeout(timer);
    }
  }
}
