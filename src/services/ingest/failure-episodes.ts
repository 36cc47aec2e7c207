import { describeOutageEnd, Outages } from '../../core/outages.ts';
import { describeError } from '../../core/describe-error.ts';

/**
 * Logs a task that keeps failing twice: one line when it starts failing, one when it works again
 * (with how long and how often it failed); the failures in between are only counted.
 */
export class FailureEpisodes {
  private readonly outages: Outages<string>;

  constructor(
    private readonly log: (line: string) => void,
    nowMillis: () => number = () => performance.now(),
  ) {
    this.outages = new Outages(nowMillis);
  }

  /** Notes a failure of `task`; `consequence` says what happens meanwhile (first line only). */
  failed(task: string, error: unknown, consequence: string): void {
    if (!this.outages.failed(task)) return;
    this.log(
      `ingest ${task} failed: ${describeError(error)} (${consequence}; repeats are counted, not logged)`,
    );
  }

  /** Notes that `task` worked; ends its episode, if any, with one line. */
  succeeded(task: string): void {
    const end = this.outages.succeeded(task);
    if (end !== undefined) this.log(`ingest ${task} works again after ${describeOutageEnd(end)}`);
  }
}
