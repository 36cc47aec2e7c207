import type { DetectorState, DetectorStateStore } from '../../ports/maintenance.ts';

/** How often a long restore or save of detector states says how far it got. */
export const PROGRESS_EVERY_MILLIS = 5_000;

/**
 * The words of one kind of work: `reading saved detector states` / `read N saved detector states`
 * (read from the store; those a detector of another configuration saved are then told apart).
 */
interface Wording {
  going: string;
  done: (count: string) => string;
}

const restoring: Wording = {
  going: 'reading saved detector states',
  done: (count) => `read ${count} saved detector states`,
};
const saving: Wording = {
  going: 'saving detector states',
  done: (count) => `saved ${count} detector states`,
};

/**
 * What a long piece of work over detector states says as it goes: how many so far every
 * `PROGRESS_EVERY_MILLIS`, and at its end how many in what time. Restoring them comes before the
 * server listens (15–60 s at a million sensors) and the stop saves them (about 20 s): without these
 * lines either looks hung.
 */
export class StateProgress {
  readonly #started: number;
  #reported: number;
  #count = 0;
  #waitedMillis = 0;

  private constructor(
    private readonly wording: Wording,
    private readonly tell: (line: string) => void,
    private readonly clock: () => number,
  ) {
    this.#started = clock();
    this.#reported = this.#started;
  }

  static restoring(tell: (line: string) => void, clock: () => number): StateProgress {
    return new StateProgress(restoring, tell, clock);
  }

  static saving(tell: (line: string) => void, clock: () => number): StateProgress {
    return new StateProgress(saving, tell, clock);
  }

  /** Time spent before states could be saved: waiting for the alerts of their readings to be recorded. */
  waited(millis: number): void {
    this.#waitedMillis += millis;
  }

  /** `states` more are done. */
  add(states: number): void {
    this.#count += states;
    const at = this.clock();
    if (at - this.#reported < PROGRESS_EVERY_MILLIS) return;
    this.#reported = at;
    this.tell(`failure prediction: ${this.wording.going}: ${this.#counted()} so far, ${this.#since(at)}`);
  }

  /** The closing line: after any state when `always`, else only after work long enough to have said how far it got. */
  end(always: boolean): void {
    if (always ? this.#count === 0 : this.#reported === this.#started) return;
    this.tell(`failure prediction: ${this.wording.done(this.#counted())} in ${this.#since(this.clock())}`);
  }

  #counted(): string {
    return this.#count.toLocaleString('en-US');
  }

  #since(at: number): string {
    const since = `${((at - this.#started) / 1000).toFixed(1)} s`;
    if (this.#waitedMillis < 1000) return since;
    return `${since} (${(this.#waitedMillis / 1000).toFixed(1)} s of it waiting for alerts to be recorded first)`;
  }
}

/** `store.loadDetectorStates(each)`, saying how far it got and, at the end, how many in what time. */
export async function loadStatesTelling(
  store: Pick<DetectorStateStore, 'loadDetectorStates'>,
  each: (states: DetectorState[]) => Promise<void>,
  tell: (line: string) => void,
  clock: () => number,
): Promise<void> {
  const progress = StateProgress.restoring(tell, clock);
  await store.loadDetectorStates(async (states) => {
    await each(states);
    progress.add(states.length);
  });
  progress.end(true);
}
