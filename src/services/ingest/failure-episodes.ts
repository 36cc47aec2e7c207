import { describeError } from './storage-unavailable.ts';

interface Episode {
  sinceMillis: number;
  failures: number;
}

/**
 * Logs a task that keeps failing twice: one line when it starts failing, one when it works again
 * (with how long and how often it failed); the failures in between are only counted.
 */
export class FailureEpisodes {
  private readonly open = new Map<string, Episode>();

  constructor(
    private readonly log: (line: string) => void,
    private readonly nowMillis: () => number = () => performance.now(),
  ) {}

  /** Notes a failure of `task`; `consequence` says what happens meanwhile (first line only). */
  failed(task: string, error: unknown, consequence: string): void {
    const episode = this.open.get(task);
    if (episode !== undefined) {
      episode.failures += 1;
      return;
    }
    this.open.set(task, { sinceMillis: this.nowMillis(), failures: 1 });
    this.log(
      `ingest ${task} failed: ${describeError(error)} (${consequence}; repeats are counted, not logged)`,
    );
  }

  /** Notes that `task` worked; ends its episode, if any, with one line. */
  succeeded(task: string): void {
    const episode = this.open.get(task);
    if (episode === undefined) return;
    this.open.delete(task);
    const seconds = ((this.nowMillis() - episode.sinceMillis) / 1000).toFixed(1);
    const failures = `${episode.failures} ${episode.failures === 1 ? 'failure' : 'failures'}`;
    this.log(`ingest ${task} works again after ${seconds} s, ${failures}`);
  }
}
