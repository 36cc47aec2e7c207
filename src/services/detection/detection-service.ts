import { DEFAULT_DETECTOR, LEARNING_POINTS, LEARNING_SPAN_MILLIS } from '../../core/anomaly/registry.ts';
import type { DetectorSpec } from '../../core/anomaly/detector.ts';
import type { EvidencePoint } from '../../core/maintenance/alert.ts';
import type { VerdictInput } from '../../core/maintenance/lifecycle.ts';
import type { Reading } from '../../core/readings/reading.ts';
import { newestTimestamp, readingArray, type ReadingBatch } from '../../core/readings/reading-batch.ts';
import type { MessageBus, Subscription } from '../../ports/bus.ts';
import type { DetectorState, DetectorStateStore, MaintenanceRepository } from '../../ports/maintenance.ts';
import type { ReadingHistory } from '../../ports/reading-store.ts';
import type { Registry } from '../../ports/registry.ts';
import type { ScoringEngine } from '../../ports/scoring.ts';
import { AlertRecorder, type VerdictResult } from './alert-recorder.ts';
import { catchUp, type CatchUpSummary } from './catch-up.ts';
import { InProcessScoring } from './in-process-scoring.ts';
import { ScoringRestart } from './scoring-restart.ts';
import { loadStatesTelling, StateProgress } from './state-progress.ts';
import type { SensorDetectorsOptions } from './sensor-detectors.ts';
import { describeError } from '../../core/describe-error.ts';

export interface DetectionServiceOptions {
  bus: MessageBus;
  repository: MaintenanceRepository;
  states: DetectorStateStore;
  registry: Pick<Registry, 'getSensor' | 'getAsset'>;
  detector: DetectorSpec;
  /** Alert threshold; defaults to the detector's shipped one. */
  threshold?: number;
  /** A sensor that alerted does not alert again for this long (event time). Default one hour. */
  suppressionMillis?: number;
  /** Evidence points attached to an alert. Default 12. */
  evidencePoints?: number;
  /**
   * (ts, value, score) points of the score series, kept per sensor once its scores were asked for
   * or it alerted (the others keep their last `evidencePoints`). Default 48 (1,168 bytes).
   */
  historyPoints?: number;
  /**
   * Readings a new sensor's detector learns from before it may raise alerts. Default
   * `LEARNING_POINTS` (750, NAB's probation); 0 lets a new sensor alert from its first reading.
   */
  learningReadings?: number;
  /**
   * Time from a new sensor's first reading before it may raise alerts. Default
   * `LEARNING_SPAN_MILLIS` (three days); 0 leaves only `learningReadings`.
   */
  learningSpanMillis?: number;
  /** States saved per write; a snapshot of many sensors is written in chunks. Default 10,000. */
  snapshotChunkStates?: number;
  /** How often changed detector states are saved. Default five minutes; 0 disables the timer. */
  snapshotIntervalMillis?: number;
  /**
   * Told how far restoring the saved detector states got, every 5 s, and how many it restored in
   * what time; and the same of a save once it has taken 5 s (`StateProgress`). Durations by `clock`.
   */
  progress?: (line: string) => void;
  /**
   * After `start`, how often alerts that could not be recorded (the repository was down) are tried
   * again. Default 10 s. Without `start` (a cluster's shard) they are tried again at `forceFlush`.
   */
  alertRetryMillis?: number;
  /**
   * Where the detectors run, built from the resolved options. Default: on the caller's thread
   * (`InProcessScoring`); the server runs them on a worker thread of their own.
   */
  engine?: (options: SensorDetectorsOptions) => ScoringEngine;
  /**
   * Memory the detectors' states may take; beyond it they wait in a spill file in `spillFolder`
   * (the engine opens it). Undefined: all in memory.
   */
  stateMemoryBytes?: number;
  spillFolder?: string;
  clock?: () => number;
  /**
   * Readings timed further than this ahead of `clock` are stored but not scored: a detector skips
   * readings not newer than the last it scored, so one reading from a device clock a day fast would
   * keep the sensor's right readings from being scored until that day came. Default one hour.
   */
  futureToleranceMillis?: number;
  /**
   * Accepted readings are held this long (ms of wall time) and then scored in time order with
   * those accepted meanwhile, so that a sensor's readings that arrive out of order within it (a
   * client's batch sent again after a later one went through) are scored instead of skipped as not
   * newer than the sensor's last (a gap the detector may take for an anomaly). `forceFlush`,
   * `allStates` and `shutdown` score what is held first. Default 0: scored as accepted.
   */
  reorderMillis?: number;
  /**
   * The stored readings, read back by `start` so that the detectors catch up with those stored and
   * acknowledged but not scored (or scored but not saved) when the process stopped, such as after
   * a crash. Absent: `start` catches up with nothing.
   */
  history?: ReadingHistory;
  /**
   * Writes every acknowledged reading into `history` (the ingest pipeline's flush). When the
   * detectors' thread dies, the restart calls it before catching up, so that the catch-up reads
   * every reading handed to the dead thread, even one acknowledged a moment before. Absent: such
   * readings are lost to the detectors if the store does not hold them yet when it is read.
   */
  flushHistory?: () => Promise<void>;
  /** Readings `start` scores at most when catching up (the newest ones). Default 1,000,000. */
  catchUpReadings?: number;
  /**
   * Sensors with no saved state are caught up from their readings timed at most this long before
   * the last save of the states (all of them when no save was recorded). Default 15 minutes.
   */
  catchUpLookbackMillis?: number;
  newId?: () => string;
  /** Errors of the background work (alerts, snapshots); they never escape. */
  onError?: (error: unknown) => void;
}

export { failurePredictionTag, type VerdictResult } from './alert-recorder.ts';

/**
 * The live path of failure prediction: accepted readings → per-sensor detectors → alerts → one
 * active work order per asset, published as `alert` and `workorder` events. Alert handling and
 * operator verdicts run one at a time, so the one-active-order-per-asset rule holds.
 */
export class DetectionService {
  readonly threshold: number;
  readonly #scoring: ScoringRestart;
  readonly #alerts: AlertRecorder;
  /** Readings not scored because they were timed too far ahead of the clock. */
  #futureReadings = 0;
  /** How far ahead of the clock a reading may be timed and still be scored. */
  readonly #futureTolerance: number;
  readonly #options: DetectionServiceOptions;
  readonly #clock: () => number;
  readonly #onError: (error: unknown) => void;
  #retryTimer: ReturnType<typeof setInterval> | undefined;
  #subscription: Subscription | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #snapshotting: Promise<void> | undefined;
  /** A store of whole snapshots: its last one misses changes, so the next save must run. */
  #snapshotBehind = false;
  /** Batches held for `reorderMillis`, oldest first, with when they were accepted (performance.now()). */
  readonly #held: { at: number; readings: readonly Reading[] }[] = [];
  #heldTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: DetectionServiceOptions) {
    this.#options = options;
    this.threshold = options.threshold ?? options.detector.threshold;
    if (!(this.threshold >= 0 && this.threshold <= 1)) {
      throw new RangeError(`threshold must be in [0, 1], got ${this.threshold}`);
    }
    for (const key of ['catchUpReadings', 'catchUpLookbackMillis'] as const) {
      const value = options[key];
      if (value !== undefined && !(value >= 0))
        throw new RangeError(`${key} must be a non-negative number, got ${value}`);
    }
    const engine = options.engine ?? ((resolved) => new InProcessScoring(resolved));
    const resolved = {
      detector: options.detector,
      threshold: this.threshold,
      suppressionMillis: options.suppressionMillis ?? 3_600_000,
      evidencePoints: options.evidencePoints ?? 12,
      historyPoints: options.historyPoints ?? 48,
      learningReadings: options.learningReadings ?? LEARNING_POINTS,
      learningSpanMillis: options.learningSpanMillis ?? LEARNING_SPAN_MILLIS,
      ...(options.stateMemoryBytes === undefined ? {} : { stateMemoryBytes: options.stateMemoryBytes }),
      ...(options.spillFolder === undefined ? {} : { spillFolder: options.spillFolder }),
    };
    this.#clock = options.clock ?? Date.now;
    this.#futureTolerance = options.futureToleranceMillis ?? 3_600_000;
    this.#onError = options.onError ?? (() => undefined);
    this.#alerts = new AlertRecorder({
      bus: options.bus,
      repository: options.repository,
      registry: options.registry,
      threshold: this.threshold,
      clock: this.#clock,
      newId: options.newId ?? (() => globalThis.crypto.randomUUID()),
      onError: this.#onError,
    });
    this.#scoring = new ScoringRestart({
      makeEngine: () => engine(resolved),
      detectorName: options.detector.name,
      loadStates: (each) =>
        options.progress === undefined
          ? options.states.loadDetectorStates(each)
          : loadStatesTelling(options.states, each, options.progress, this.#clock),
      flushHistory: options.flushHistory,
      catchUp: (after, score) => this.#catchUp(after, score),
      stored: options.history !== undefined,
      onCrossing: (crossing) => void this.#alerts.handle(crossing),
      onError: this.#onError,
    });
  }

  /**
   * Restores saved detector states, catches up with the stored readings they have not seen (see
   * `history`), then follows the `readings` topic and starts the snapshot timer. Resolves once the
   * caught-up readings are scored and their alerts handled, so no live reading of a sensor is
   * scored before them. Alerts raised again (readings scored before a crash, saved after) are
   * dropped by the repository, which keeps the first alert of a (sensor, ts).
   */
  async start(): Promise<{ restored: number; skipped: number; caughtUp?: CatchUpSummary }> {
    let resumed: Awaited<ReturnType<ScoringRestart['resume']>>;
    let caughtUp: CatchUpSummary | undefined;
    try {
      resumed = await this.#scoring.resume();
      caughtUp = await this.#catchUp(resumed.after, (batch) => {
        this.accept(batch);
        return this.#scoring.scored;
      });
    } catch (error) {
      // The engine (a scoring thread) is closed, else it kept the process alive after the failed
      // start; nothing is saved, so a damaged snapshot stays as it was for the operator to move.
      this.#scoring.stop();
      await this.#scoring.close().catch(() => undefined);
      throw error;
    }
    this.#subscription = this.#options.bus.subscribe('readings', (readings) => this.accept(readings));
    const interval = this.#options.snapshotIntervalMillis ?? 300_000;
    if (interval > 0) {
      this.#timer = setInterval(() => void this.snapshot(), interval);
      this.#timer.unref();
    }
    const retryInterval = this.#options.alertRetryMillis ?? 10_000;
    if (retryInterval > 0) {
      this.#retryTimer = setInterval(() => {
        if (this.#alerts.unrecorded > 0) void this.#alerts.retry();
      }, retryInterval);
      this.#retryTimer.unref();
    }
    const { restored, skipped } = resumed;
    return caughtUp === undefined ? { restored, skipped } : { restored, skipped, caughtUp };
  }

  async #catchUp(
    after: ReadonlyMap<string, number>,
    score: (batch: readonly Reading[]) => Promise<void>,
  ): Promise<CatchUpSummary | undefined> {
    const { history, states: store } = this.#options;
    if (history === undefined) return undefined;
    const started = performance.now();
    const summary = await catchUp({
      history,
      after,
      savedAtMillis: await store.statesSavedAt?.(),
      lookbackMillis: this.#options.catchUpLookbackMillis ?? 900_000,
      limitReadings: this.#options.catchUpReadings ?? 1_000_000,
      // Readings timed too far ahead keep their rule: stored, not scored.
      toMillis: this.#clock() + this.#futureTolerance,
      score,
    });
    // Every crossing is queued once scored: wait for their alerts too.
    await this.#alerts.idle();
    return { ...summary, millis: performance.now() - started };
  }

  /**
   * Revives saved detector states (e.g. a shard's, when it moves to this process). States the
   * detector cannot read are skipped and reported through `onError`: those sensors learn again,
   * and raise no alert for the learning time.
   */
  async restore(
    states: Parameters<ScoringEngine['restore']>[0],
  ): Promise<{ restored: number; skipped: number }> {
    return this.#scoring.restore(states);
  }

  /**
   * Hands a batch to the detectors; it is scored in order with the others, and the alerts it
   * raises are handled in the background, in order.
   */
  accept(batch: ReadingBatch): void {
    const timely = this.#timely(batch);
    const hold = this.#options.reorderMillis ?? 0;
    if (hold <= 0) {
      this.#scoring.accept(timely);
      return;
    }
    if (timely.length === 0) return;
    this.#held.push({ at: performance.now(), readings: readingArray(timely) });
    if (this.#heldTimer === undefined) {
      this.#heldTimer = setTimeout(() => this.#release(false), hold);
      this.#heldTimer.unref();
    }
  }

  /** Forgets the held readings unscored (their shard went to another owner, who reads them again). */
  dropHeld(): void {
    if (this.#heldTimer !== undefined) clearTimeout(this.#heldTimer);
    this.#heldTimer = undefined;
    this.#held.length = 0;
  }

  /**
   * Scores the held batches accepted at least `reorderMillis` ago (all of them with `all`) in time
   * order, and with them every held reading not newer than the newest of those: a late reading
   * goes out with the newer ones it would otherwise be skipped behind.
   */
  #release(all: boolean): void {
    if (this.#heldTimer !== undefined) clearTimeout(this.#heldTimer);
    this.#heldTimer = undefined;
    const hold = this.#options.reorderMillis ?? 0;
    const due = performance.now() - hold;
    let count = 0;
    while (count < this.#held.length && (all || (this.#held[count]?.at ?? Infinity) <= due)) count++;
    if (count > 0) {
      const readings: Reading[] = [];
      let newest = Number.NEGATIVE_INFINITY;
      for (const batch of this.#held.splice(0, count))
        for (const reading of batch.readings) {
          readings.push(reading);
          if (reading.ts > newest) newest = reading.ts;
        }
      // One pass over what stays held: its readings not newer go out, a batch left empty goes.
      let kept = 0;
      for (const batch of this.#held) {
        if (batch.readings.some((reading) => reading.ts <= newest)) {
          const later: Reading[] = [];
          for (const reading of batch.readings) (reading.ts <= newest ? readings : later).push(reading);
          batch.readings = later;
        }
        if (batch.readings.length > 0) this.#held[kept++] = batch;
      }
      this.#held.length = kept;
      // A stable sort: readings of one time keep the order they were accepted in.
      readings.sort((a, b) => a.ts - b.ts);
      this.#scoring.accept(readings);
    }
    const next = this.#held[0];
    if (next !== undefined) {
      this.#heldTimer = setTimeout(
        () => this.#release(false),
        Math.max(0, next.at + hold - performance.now()),
      );
      this.#heldTimer.unref();
    }
  }

  /** The batch without readings timed too far ahead of the clock (said once, then counted). */
  #timely(batch: ReadingBatch): ReadingBatch {
    const limit = this.#clock() + this.#futureTolerance;
    if (!(newestTimestamp(batch) > limit)) return batch;
    const readings = readingArray(batch);
    const timely = readings.filter((reading) => reading.ts <= limit);
    if (this.#futureReadings === 0) {
      const first = readings.find((reading) => reading.ts > limit) as Reading;
      this.#onError(
        new Error(
          `readings timed more than ${this.#futureTolerance / 60_000} min ahead of the clock are stored ` +
            `but not scored (first: sensor ${first.sensor} at ${new Date(first.ts).toISOString()}); ` +
            'the count is futureReadings in /api/v1/detection',
        ),
      );
    }
    this.#futureReadings += batch.length - timely.length;
    return timely;
  }

  /** Readings handed over and not yet scored: the ingest edge turns new batches away above a limit. */
  backlogReadings(): number {
    return this.#scoring.backlogReadings();
  }

  /** What the service is doing: for the status endpoint and for waiting until alerts are handled. */
  status(): {
    detector: string;
    threshold: number;
    sensors: number;
    pendingAlerts: number;
    backlogReadings: number;
    futureReadings: number;
    restarts: number;
  } {
    return {
      restarts: this.#scoring.restarts,
      detector: this.#options.detector.name,
      threshold: this.threshold,
      sensors: this.#scoring.engine.sensorCount(),
      pendingAlerts: this.#alerts.pending,
      // Alerts of readings still waiting to be scored are not pending yet: both are 0 once caught up.
      backlogReadings: this.backlogReadings(),
      futureReadings: this.#futureReadings,
    };
  }

  /**
   * The kept score series of a sensor, or undefined when no reading of it was scored; while the
   * detectors' thread is being replaced, answered once the new one has caught up.
   */
  scores(sensor: string, fromMillis: number, toMillis: number): Promise<EvidencePoint[] | undefined> {
    return this.#scoring.history(sensor, fromMillis, toMillis);
  }

  /** An operator verdict on a work order; stored, and published as a `workorder` event. */
  verdict(id: string, input: Omit<VerdictInput, 'at'>): Promise<VerdictResult> {
    return this.#alerts.verdict(id, input);
  }

  /** Saves the states changed since the last snapshot. Overlapping calls share one run; never rejects. */
  snapshot(): Promise<void> {
    this.#snapshotting ??= this.#saveStates(false).finally(() => {
      this.#snapshotting = undefined;
    });
    return this.#snapshotting;
  }

  /**
   * Stops the snapshot timer and resolves once a snapshot it started has finished: a stop then
   * writes what else it must (the readings buffered for the store) before `shutdown` saves the
   * rest, instead of beside a save of up to every sensor's state.
   */
  async stopSnapshots(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#snapshotting;
  }

  /**
   * Every detector's state, once the readings given so far are scored (marking them saved: call it
   * right after `forceFlush`, when nothing is left unsaved).
   */
  async allStates(): Promise<DetectorState[]> {
    this.#release(true);
    await this.#scoring.settled();
    return this.#scoring.engine.takeStates(true);
  }

  /**
   * Waits for pending alerts and verdicts, tries the alerts that could not be recorded again, then
   * saves every changed state. Rejects (after saving) while an alert is still unrecorded: whoever
   * acknowledges the readings once this resolves (a shard's commit) must not do so yet, or the
   * alert would be lost.
   */
  async forceFlush(): Promise<void> {
    this.#release(true);
    await this.#scoring.settled();
    await this.#alerts.retry();
    await this.#snapshotting;
    await this.#saveStates(false);
    if (this.#alerts.unrecorded > 0)
      throw new Error(
        `${this.#alerts.unrecorded} alerts are not recorded yet (kept and tried again): ${describeError(this.#alerts.lastFailure)}`,
      );
  }

  /** Stops following readings, finishes pending work and saves detector states. */
  async shutdown(): Promise<void> {
    this.#release(true);
    this.#scoring.stop();
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
    if (this.#retryTimer !== undefined) clearInterval(this.#retryTimer);
    await this.stopSnapshots();
    try {
      await this.forceFlush();
    } catch (error) {
      this.#onError(new Error(`stopped with alerts not recorded: ${describeError(error)}`));
    }
    await this.#scoring.close();
  }

  /**
   * Saves changed states (every state, to a store of whole snapshots) in chunks of
   * `snapshotChunkStates`, so that a million sensors' states are never all copied at once. One
   * sweep over the sensors: states that readings change behind it wait for the next snapshot.
   */
  async #saveStates(all: boolean): Promise<void> {
    // A dead engine has no states to give, and held readings are not in the new one's yet.
    while (this.#scoring.replacing !== undefined) await this.#scoring.replacing;
    // Every reading handed over before now is in the states taken below (engines score in order).
    const takenAt = this.#clock();
    const chunk = this.#options.snapshotChunkStates ?? 10_000;
    const store = this.#options.states;
    const tell = this.#options.progress;
    const progress = tell === undefined ? undefined : StateProgress.saving(tell, this.#clock);
    const engine = this.#scoring.engine;
    let whole = false;
    if (store.beginSnapshot !== undefined) {
      // The last snapshot stands while no state has changed since it: an idle city writes nothing.
      if (!this.#snapshotBehind && !(await this.#anyStateChanged(engine))) return;
      // Until this save ends: a probe or a sweep that fails has marked states clean unsaved.
      this.#snapshotBehind = true;
      try {
        await store.beginSnapshot();
      } catch (error) {
        this.#onError(error);
        return;
      }
      whole = true;
    }
    for (let first = true; ; first = false) {
      // A new engine (the thread died) has a sweep of its own: this save ends unmarked, and the
      // next one starts afresh (a snapshot of part of the sensors would replace the whole).
      if (this.#scoring.engine !== engine) return;
      let states;
      try {
        // A sweep: each call goes on from where the one before stopped, so it ends.
        states = await engine.takeStates((all || whole) && first, chunk, !first);
      } catch (error) {
        this.#onError(error);
        return;
      }
      try {
        const waitStarted = this.#clock();
        await this.#alertsOfTakenStates();
        progress?.waited(this.#clock() - waitStarted);
        if (states.length > 0) await store.saveDetectorStates(states);
        progress?.add(states.length);
        // Nothing left unsaved: a restart may start the catch-up of sensors with no state from here.
        if (states.length < chunk) {
          await store.markStatesSaved?.(takenAt);
          if (whole) this.#snapshotBehind = false;
        }
      } catch (error) {
        engine.markDirty(states.map((state) => state.sensor));
        this.#onError(error);
        return;
      }
      if (states.length < chunk) {
        progress?.end(false);
        return;
      }
    }
  }
  /**
   * Waits until the alerts of the readings in states just taken are recorded; rejects while one is
   * kept unrecorded. A state is saved only after them: a crash between the two would otherwise
   * restart a detector past a reading whose alert was never written, and that reading, scored
   * again, is skipped as already seen. (Crossings are queued before the take that follows them
   * resolves: engines answer in order.)
   */
  async #alertsOfTakenStates(): Promise<void> {
    await this.#alerts.idle();
    const kept = this.#alerts.unrecorded;
    if (kept > 0)
      throw new Error(
        `detector states not saved while ${kept} alerts are not recorded (saved once they are): ${describeError(this.#alerts.lastFailure)}`,
      );
  }

  /** Whether any state changed since it was last taken (takes at most one, which the sweep after takes again). */
  async #anyStateChanged(engine: ScoringEngine): Promise<boolean> {
    try {
      return (await engine.takeStates(false, 1)).length > 0;
    } catch (error) {
      this.#onError(error);
      return false;
    }
  }
}

/**
 * A detection service that is never started: it scores nothing and only records operators' verdicts
 * on stored work orders (an API process of a cluster, or a platform run with `--detector none`).
 * The detector, needed for its threshold, is never fed.
 */
export function verdictsOnly(
  options: Pick<DetectionServiceOptions, 'bus' | 'repository' | 'registry' | 'onError'> & {
    detector?: DetectorSpec | undefined;
  },
): DetectionService {
  return new DetectionService({
    ...options,
    states: { saveDetectorStates: async () => undefined, loadDetectorStates: async () => undefined },
    detector: options.detector ?? DEFAULT_DETECTOR,
    snapshotIntervalMillis: 0,
  });
}
