import type { EvidencePoint } from '../../core/maintenance/alert.ts';
import type { Reading } from '../../core/readings/reading.ts';
import type { ReadingBatch } from '../../core/readings/reading-batch.ts';
import type { DetectorState } from '../../ports/maintenance.ts';
import type { Crossing, ScoringEngine } from '../../ports/scoring.ts';
import type { CatchUpSummary } from './catch-up.ts';
import { describeError } from '../../core/describe-error.ts';

export interface ScoringRestartOptions {
  /** Builds an engine: the first one, and each that replaces a broken one. */
  makeEngine: () => ScoringEngine;
  /** The detector's name, for the report of states it cannot read. */
  detectorName: string;
  /** The store's `loadDetectorStates`. */
  loadStates: (each: (states: DetectorState[]) => Promise<void>) => Promise<void>;
  /** See `DetectionServiceOptions.flushHistory`. */
  flushHistory?: () => Promise<void>;
  /** Catches the detectors up with the stored readings, as `start` does; undefined without a store. */
  catchUp: (
    after: ReadonlyMap<string, number>,
    score: (batch: readonly Reading[]) => Promise<void>,
  ) => Promise<CatchUpSummary | undefined>;
  /** Whether readings not scored at shutdown are stored (the next start catches up with them). */
  stored: boolean;
  /** Called with each crossing a batch raised, in order. */
  onCrossing: (crossing: Crossing) => void;
  onError: (error: unknown) => void;
}

/** Saved states revived: counts, and the last reading time of each sensor's state. */
export interface Resumed {
  restored: number;
  skipped: number;
  after: Map<string, number>;
}

/**
 * The scoring engine, replaced when it breaks (its thread died): batches are scored in the order
 * they were accepted, and held while a new engine resumes and catches up.
 */
export class ScoringRestart {
  #engine: ScoringEngine;
  readonly #options: ScoringRestartOptions;
  /** Set while a broken engine is being replaced and caught up (see `#replace`). */
  #replacing: Promise<void> | undefined;
  /**
   * While replacing: the batches the dead engine failed with and those accepted since, with their
   * order of acceptance; scored once the new engine has caught up.
   */
  #held: { order: number; readings: ReadingBatch }[] | undefined;
  #heldReadings = 0;
  /** Batches accepted so far: the order of the next one. */
  #accepted = 0;
  #stopping = false;
  #stopped = false;
  #restarts = 0;
  /** Settles once every batch given so far is scored and its crossings are handed on. */
  #scored: Promise<void> = Promise.resolve();

  constructor(options: ScoringRestartOptions) {
    this.#options = options;
    this.#engine = options.makeEngine();
  }

  /** The current engine. */
  get engine(): ScoringEngine {
    return this.#engine;
  }

  /** Engines replaced so far. */
  get restarts(): number {
    return this.#restarts;
  }

  /** Settles once every batch given so far is scored (not those held), and its crossings handed on. */
  get scored(): Promise<void> {
    return this.#scored;
  }

  /** Set while a broken engine is being replaced and caught up; settles once it is. */
  get replacing(): Promise<void> | undefined {
    return this.#replacing;
  }

  /** Revives saved states in the current engine (see `DetectionService.restore`). */
  async restore(states: readonly DetectorState[]): Promise<{ restored: number; skipped: number }> {
    const result = await this.#engine.restore(states);
    this.#reportSkipped(result.skipped, states.length);
    return result;
  }

  /** Revives the store's saved states in the current engine (see `DetectionService.start`). */
  resume(): Promise<Resumed> {
    return this.#resumeOn(this.#engine);
  }

  /**
   * Revives the store's saved states in `engine`, a chunk at a time as the store hands them over;
   * with, by sensor, the time of the last reading its state saw (where its catch-up starts).
   */
  async #resumeOn(engine: ScoringEngine): Promise<Resumed> {
    // A thread that is still loading its code would take the first live batches' CPU and time.
    await engine.ready();
    const after = new Map<string, number>();
    let restored = 0;
    let skipped = 0;
    await this.#options.loadStates(async (states) => {
      const result = await engine.restore(states);
      restored += result.restored;
      skipped += result.skipped;
      for (const state of states) after.set(state.sensor, state.lastTs);
    });
    this.#reportSkipped(skipped, restored + skipped);
    return { restored, skipped, after };
  }

  #reportSkipped(skipped: number, saved: number): void {
    if (skipped > 0)
      this.#options.onError(
        new Error(
          `${skipped} of ${saved} saved detector states were saved by another configuration and cannot ` +
            `be used by detector ${this.#options.detectorName}: those sensors learn again`,
        ),
      );
  }

  /**
   * A sensor's kept score series; while a broken engine is being replaced, from the replacement
   * once it has caught up (a request the dead engine failed starts the replacement if no batch did).
   */
  async history(sensor: string, fromMillis: number, toMillis: number): Promise<EvidencePoint[] | undefined> {
    for (;;) {
      const engine = this.#engine;
      try {
        return await engine.history(sensor, fromMillis, toMillis);
      } catch (error) {
        if (this.#stopped || !engine.broken()) throw error;
        if (engine === this.#engine && this.#replacing === undefined) this.#replace(error);
        await this.#replacing;
        if (this.#engine === engine) throw error;
      }
    }
  }

  /** Scores a batch after those accepted before it (or holds it while the engine is replaced). */
  accept(readings: ReadingBatch): void {
    this.#submit(readings, (this.#accepted += 1));
  }

  /** Scores a batch, or holds it while the engine is replaced; a batch a dead engine fails with is held. */
  #submit(readings: ReadingBatch, order: number): void {
    if (this.#held !== undefined) {
      this.#held.push({ order, readings });
      this.#heldReadings += readings.length;
      return;
    }
    const engine = this.#engine;
    this.#scored = engine.score(readings).then(
      (crossings) => {
        for (const crossing of crossings) this.#options.onCrossing(crossing);
      },
      (error: unknown) => {
        if (this.#stopped || !engine.broken()) {
          this.#options.onError(error);
          return;
        }
        if (engine === this.#engine && this.#replacing === undefined) this.#replace(error);
        this.#submit(readings, order);
      },
    );
  }

  /**
   * Replaces a broken engine (its thread died) by a new one that resumes from the saved states and
   * catches up from the store as `start` does (after `flushHistory`, so that the store holds every
   * reading handed to the dead engine). Meanwhile batches are held: the dead engine's failed ones
   * and those accepted since. Once caught up they are scored in the order they were accepted; a
   * held reading the catch-up scored already is skipped by the detectors' own rule (a reading not
   * newer than its sensor's last scored one is skipped), so none is scored twice or before the
   * caught-up readings of its sensor. A restart that fails is tried again, 1 to 5 s later.
   */
  #replace(reason: unknown): void {
    this.#held = [];
    this.#replacing = this.#restart(reason).then(() => {
      const held = (this.#held ?? []).sort((a, b) => a.order - b.order);
      this.#held = undefined;
      this.#heldReadings = 0;
      this.#replacing = undefined;
      for (const { order, readings } of held) this.#submit(readings, order);
    });
  }

  /** Makes a new engine resume and catch up; never rejects (gives up only when stopping). */
  async #restart(reason: unknown): Promise<void> {
    const { onError } = this.#options;
    for (let attempt = 1; ; attempt++) {
      const fresh = this.#options.makeEngine();
      try {
        const restored = await this.#resumeOn(fresh);
        // A failed flush does not hold the detectors back: what the store holds is caught up.
        await this.#options
          .flushHistory?.()
          .catch((error: unknown) =>
            onError(
              new Error(
                `the store could not be flushed before the detectors caught up (readings acknowledged ` +
                  `just before their thread died may be lost to them): ${describeError(error)}`,
              ),
            ),
          );
        const caughtUp = await this.#options.catchUp(restored.after, async (batch) => {
          for (const crossing of await fresh.score(batch)) this.#options.onCrossing(crossing);
        });
        // What is left of the dead engine is let go of (its batches failed when it died).
        void this.#engine.close().catch(() => undefined);
        this.#engine = fresh;
        this.#restarts += 1;
        const summary =
          caughtUp === undefined
            ? 'readings scored since the last snapshot were not scored again (no store to catch up from)'
            : `caught up with ${caughtUp.readings} stored readings of ${caughtUp.sensors} sensors in ` +
              `${(caughtUp.millis / 1000).toFixed(1)} s` +
              (caughtUp.beyondCap > 0
                ? `; ${caughtUp.beyondCap} older readings left unscored (over the catch-up cap)`
                : '');
        onError(
          new Error(
            `the detectors stopped (${describeError(reason)}) and were restarted from ` +
              `${restored.restored} saved states (restart ${this.#restarts}); ${summary}`,
          ),
        );
        return;
      } catch (error) {
        await fresh.close().catch(() => undefined);
        if (this.#stopping) {
          onError(
            new Error(
              `the detectors stopped and could not be restarted before the shutdown: ${this.#heldReadings} ` +
                `accepted readings were not scored` +
                (this.#options.stored ? ' (stored: the next start catches up with them)' : '') +
                `: ${describeError(error)}`,
            ),
          );
          this.#held = [];
          return;
        }
        const waitMillis = Math.min(5_000, 1_000 * attempt);
        onError(
          new Error(
            `the detectors stopped and could not be restarted (try ${attempt}, next in ` +
              `${waitMillis / 1000} s): ${describeError(error)}`,
          ),
        );
        await new Promise((resolve) => setTimeout(resolve, waitMillis));
      }
    }
  }

  /** Resolves once every batch accepted so far is scored (held ones included) and its crossings handed on. */
  async settled(): Promise<void> {
    await this.#scored;
    while (this.#replacing !== undefined) {
      await this.#replacing;
      await this.#scored;
    }
  }

  /** Readings handed over and not yet scored, held ones included. */
  backlogReadings(): number {
    return this.#engine.backlogReadings() + this.#heldReadings;
  }

  /** From now on a restart that fails is not tried again: the held readings are given up. */
  stop(): void {
    this.#stopping = true;
  }

  /** Closes the engine once its work is done; a batch failing from now on is only reported. */
  async close(): Promise<void> {
    this.#stopped = true;
    await this.#engine.close();
  }
}
