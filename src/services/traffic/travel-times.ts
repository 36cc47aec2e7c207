/**
 * Average travel time of the adaptive and the baseline run, side by side.
 * The headline figures are CityFlow's `att` since the run (or the day) began:
 * every generated vehicle, unfinished ones counted with their time so far.
 * The history holds, per window of simulated time, the mean trip time of the
 * trips that finished in it.
 */
import type { Engine } from '../../core/traffic/engine.ts';
import { measureRun } from '../../core/traffic/metrics.ts';

export interface TravelPoint {
  ts: number;
  adaptive: number;
  baseline: number;
}

const windowSeconds = 300;
const historyPoints = 120;

interface Mark {
  count: number;
  seconds: number;
}

function windowMean(engine: Engine, mark: Mark): number {
  const count = engine.finishedCount - mark.count;
  const mean = count > 0 ? (engine.finishedSeconds - mark.seconds) / count : Number.NaN;
  mark.count = engine.finishedCount;
  mark.seconds = engine.finishedSeconds;
  return mean;
}

export class TravelTimes {
  readonly #adaptive: Engine;
  readonly #baseline: Engine;
  readonly #history: TravelPoint[];
  readonly #marks: [Mark, Mark] = [
    { count: 0, seconds: 0 },
    { count: 0, seconds: 0 },
  ];
  #cachedStep = -1;
  #cached = { adaptive: 0, baseline: 0 };

  /** `previous`: the run of the day before, whose history carries on. */
  constructor(adaptive: Engine, baseline: Engine, previous: TravelTimes | null) {
    this.#adaptive = adaptive;
    this.#baseline = baseline;
    this.#history = previous === null ? [] : previous.#history;
  }

  /** Call after every step with the wall-clock time of that step. */
  observe(ts: number): void {
    if (this.#adaptive.step % windowSeconds !== 0) return;
    const adaptive = windowMean(this.#adaptive, this.#marks[0]);
    const baseline = windowMean(this.#baseline, this.#marks[1]);
    if (!Number.isFinite(adaptive) || !Number.isFinite(baseline)) return;
    this.#history.push({ ts, adaptive, baseline });
    if (this.#history.length > historyPoints) this.#history.shift();
  }

  averages(): { adaptive: number; baseline: number } {
    if (this.#cachedStep !== this.#adaptive.step) {
      this.#cachedStep = this.#adaptive.step;
      this.#cached = {
        adaptive: measureRun(this.#adaptive, 0).att,
        baseline: measureRun(this.#baseline, 0).att,
      };
    }
    return this.#cached;
  }

  history(): TravelPoint[] {
    return [...this.#history];
  }
}
