import { LEARNING_POINTS, LEARNING_SPAN_MILLIS } from '../../core/anomaly/registry.ts';
import type { DetectorSpec } from '../../core/anomaly/detector.ts';
import type { EvidencePoint } from '../../core/maintenance/alert.ts';
import { applyVerdict } from '../../core/maintenance/lifecycle.ts';
import type { TransitionResult, VerdictInput } from '../../core/maintenance/lifecycle.ts';
import { applyAlert } from '../../core/maintenance/work-order.ts';
import type { WorkOrder } from '../../core/maintenance/work-order.ts';
import type { Reading } from '../../core/readings/reading.ts';
import type { MessageBus, Subscription } from '../../ports/bus.ts';
import type { DetectorState, DetectorStateStore, MaintenanceRepository } from '../../ports/maintenance.ts';
import type { ReadingHistory } from '../../ports/reading-store.ts';
import type { Registry } from '../../ports/registry.ts';
import type { Crossing, ScoringEngine } from '../../ports/scoring.ts';
import { catchUp, type CatchUpSummary } from './catch-up.ts';
import { InProcessScoring } from './in-process-scoring.ts';
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
  /** States saved per write; a snapshot of many sensors is written in chunks. Default 50,000. */
  snapshotChunkStates?: number;
  /** How often changed detector states are saved. Default five minutes; 0 disables the timer. */
  snapshotIntervalMillis?: number;
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
  clock?: () => number;
  /**
   * Readings timed further than this ahead of `clock` are stored but not scored: a detector skips
   * readings not newer than the last it scored, so one reading from a device clock a day fast would
   * keep the sensor's right readings from being scored until that day came. Default one hour.
   */
  futureToleranceMillis?: number;
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

/** Registry tag that turns alerts and work orders off for one sensor: `failure_prediction=off`. */
export const failurePredictionTag = 'failure_prediction';

export type VerdictResult =
  | { ok: true; order: WorkOrder }
  | { ok: false; reason: 'not-found' }
  | Exclude<TransitionResult, { ok: true }>
  /** A reopen while the asset has another active order, `active`. */
  | { ok: false; reason: 'another-active'; asset: string; active: string };

/**
 * The live path of failure prediction: accepted readings → per-sensor detectors → alerts → one
 * active work order per asset, published as `alert` and `workorder` events. Alert handling and
 * operator verdicts run one at a time, so the one-active-order-per-asset rule holds.
 */
export class DetectionService {
  readonly threshold: number;
  #engine: ScoringEngine;
  readonly #makeEngine: () => ScoringEngine;
  /** Set while a broken engine is being replaced and caught up (see `#replace`). */
  #replacing: Promise<void> | undefined;
  /**
   * While replacing: the batches the dead engine failed with and those accepted since, with their
   * order of acceptance; scored once the new engine has caught up.
   */
  #held: { order: number; readings: readonly Reading[] }[] | undefined;
  #heldReadings = 0;
  /** Batches accepted so far: the order of the next one. */
  #accepted = 0;
  #stopping = false;
  #restarts = 0;
  /** Readings not scored because they were timed too far ahead of the clock. */
  #futureReadings = 0;
  #stopped = false;
  readonly #options: DetectionServiceOptions;
  readonly #clock: () => number;
  readonly #newId: () => string;
  readonly #onError: (error: unknown) => void;
  #serial: Promise<unknown> = Promise.resolve();
  #pendingAlerts = 0;
  /** Crossings whose alert could not be recorded: kept, in order, and tried again; never dropped. */
  readonly #unrecorded: Crossing[] = [];
  #lastFailure: unknown;
  #retryTimer: ReturnType<typeof setInterval> | undefined;
  #subscription: Subscription | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #snapshotting: Promise<void> | undefined;
  /** Settles once every batch given so far is scored and its crossings are queued. */
  #scored: Promise<void> = Promise.resolve();

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
    };
    this.#makeEngine = () => engine(resolved);
    this.#engine = this.#makeEngine();
    this.#clock = options.clock ?? Date.now;
    this.#newId = options.newId ?? (() => globalThis.crypto.randomUUID());
    this.#onError = options.onError ?? (() => undefined);
  }

  /**
   * Restores saved detector states, catches up with the stored readings they have not seen (see
   * `history`), then follows the `readings` topic and starts the snapshot timer. Resolves once the
   * caught-up readings are scored and their alerts handled, so no live reading of a sensor is
   * scored before them. Alerts raised again (readings scored before a crash, saved after) are
   * dropped by the repository, which keeps the first alert of a (sensor, ts).
   */
  async start(): Promise<{ restored: number; skipped: number; caughtUp?: CatchUpSummary }> {
    const states = await this.#options.states.loadDetectorStates();
    const restored = await this.restore(states);
    const caughtUp = await this.#catchUp(states, (batch) => {
      this.accept(batch);
      return this.#scored;
    });
    this.#subscription = this.#options.bus.subscribe('readings', (readings) => this.accept(readings));
    const interval = this.#options.snapshotIntervalMillis ?? 300_000;
    if (interval > 0) {
      this.#timer = setInterval(() => void this.snapshot(), interval);
      this.#timer.unref();
    }
    const retryInterval = this.#options.alertRetryMillis ?? 10_000;
    if (retryInterval > 0) {
      this.#retryTimer = setInterval(() => {
        if (this.#unrecorded.length > 0) void this.#enqueue(() => this.#retryUnrecorded());
      }, retryInterval);
      this.#retryTimer.unref();
    }
    return caughtUp === undefined ? restored : { ...restored, caughtUp };
  }

  async #catchUp(
    states: readonly DetectorState[],
    score: (batch: readonly Reading[]) => Promise<void>,
  ): Promise<CatchUpSummary | undefined> {
    const { history, states: store } = this.#options;
    if (history === undefined) return undefined;
    const started = performance.now();
    const summary = await catchUp({
      history,
      states,
      savedAtMillis: await store.statesSavedAt?.(),
      lookbackMillis: this.#options.catchUpLookbackMillis ?? 900_000,
      limitReadings: this.#options.catchUpReadings ?? 1_000_000,
      // Readings timed too far ahead keep their rule: stored, not scored.
      toMillis: this.#clock() + (this.#options.futureToleranceMillis ?? 3_600_000),
      score,
    });
    // Every crossing is queued once scored: wait for their alerts too.
    await this.#serial;
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
    return this.#restoreOn(this.#engine, states);
  }

  async #restoreOn(
    engine: ScoringEngine,
    states: readonly DetectorState[],
  ): Promise<{ restored: number; skipped: number }> {
    const result = await engine.restore(states);
    if (result.skipped > 0)
      this.#onError(
        new Error(
          `${result.skipped} of ${states.length} saved detector states cannot be read by detector ` +
            `${this.#options.detector.name} (saved by another configuration): those sensors learn again`,
        ),
      );
    return result;
  }

  /**
   * Hands a batch to the detectors; it is scored in order with the others, and the alerts it
   * raises are handled in the background, in order.
   */
  accept(batch: readonly Reading[]): void {
    this.#submit(this.#timely(batch), (this.#accepted += 1));
  }

  /** Scores a batch, or holds it while the engine is replaced; a batch a dead engine fails with is held. */
  #submit(readings: readonly Reading[], order: number): void {
    if (this.#held !== undefined) {
      this.#held.push({ order, readings });
      this.#heldReadings += readings.length;
      return;
    }
    const engine = this.#engine;
    this.#scored = engine.score(readings).then(
      (crossings) => {
        for (const crossing of crossings) void this.#handle(crossing);
      },
      (error: unknown) => {
        if (this.#stopped || !engine.broken()) {
          this.#onError(error);
          return;
        }
        if (engine === this.#engine && this.#replacing === undefined) this.#replace(error);
        this.#submit(readings, order);
      },
    );
  }

  /** The batch without readings timed too far ahead of the clock (said once, then counted). */
  #timely(batch: readonly Reading[]): readonly Reading[] {
    const tolerance = this.#options.futureToleranceMillis ?? 3_600_000;
    const limit = this.#clock() + tolerance;
    if (!batch.some((reading) => reading.ts > limit)) return batch;
    const timely = batch.filter((reading) => reading.ts <= limit);
    if (this.#futureReadings === 0) {
      const first = batch.find((reading) => reading.ts > limit) as Reading;
      this.#onError(
        new Error(
          `readings timed more than ${tolerance / 60_000} min ahead of the clock are stored ` +
            `but not scored (first: sensor ${first.sensor} at ${new Date(first.ts).toISOString()}); ` +
            'the count is futureReadings in /api/v1/detection',
        ),
      );
    }
    this.#futureReadings += batch.length - timely.length;
    return timely;
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
    for (let attempt = 1; ; attempt++) {
      const fresh = this.#makeEngine();
      try {
        const states = await this.#options.states.loadDetectorStates();
        const restored = await this.#restoreOn(fresh, states);
        // A failed flush does not hold the detectors back: what the store holds is caught up.
        await this.#options
          .flushHistory?.()
          .catch((error: unknown) =>
            this.#onError(
              new Error(
                `the store could not be flushed before the detectors caught up (readings acknowledged ` +
                  `just before their thread died may be lost to them): ${describeError(error)}`,
              ),
            ),
          );
        const caughtUp = await this.#catchUp(states, async (batch) => {
          for (const crossing of await fresh.score(batch)) void this.#handle(crossing);
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
        this.#onError(
          new Error(
            `the detectors stopped (${describeError(reason)}) and were restarted from ` +
              `${restored.restored} saved states (restart ${this.#restarts}); ${summary}`,
          ),
        );
        return;
      } catch (error) {
        await fresh.close().catch(() => undefined);
        if (this.#stopping) {
          this.#onError(
            new Error(
              `the detectors stopped and could not be restarted before the shutdown: ${this.#heldReadings} ` +
                `accepted readings were not scored` +
                (this.#options.history === undefined
                  ? ''
                  : ' (stored: the next start catches up with them)') +
                `: ${describeError(error)}`,
            ),
          );
          this.#held = [];
          return;
        }
        const waitMillis = Math.min(5_000, 1_000 * attempt);
        this.#onError(
          new Error(
            `the detectors stopped and could not be restarted (try ${attempt}, next in ` +
              `${waitMillis / 1000} s): ${describeError(error)}`,
          ),
        );
        await new Promise((resolve) => setTimeout(resolve, waitMillis));
      }
    }
  }

  /** Resolves once every batch accepted so far is scored (held ones included) and its crossings queued. */
  async #settled(): Promise<void> {
    await this.#scored;
    while (this.#replacing !== undefined) {
      await this.#replacing;
      await this.#scored;
    }
  }

  /** Readings handed over and not yet scored: the ingest edge turns new batches away above a limit. */
  backlogReadings(): number {
    return this.#engine.backlogReadings() + this.#heldReadings;
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
      restarts: this.#restarts,
      detector: this.#options.detector.name,
      threshold: this.threshold,
      sensors: this.#engine.sensorCount(),
      pendingAlerts: this.#pendingAlerts + this.#unrecorded.length,
      // Alerts of readings still waiting to be scored are not pending yet: both are 0 once caught up.
      backlogReadings: this.backlogReadings(),
      futureReadings: this.#futureReadings,
    };
  }

  /** The kept score series of a sensor, or undefined when no reading of it was scored. */
  scores(sensor: string, fromMillis: number, toMillis: number): Promise<EvidencePoint[] | undefined> {
    return this.#engine.history(sensor, fromMillis, toMillis);
  }

  /** An operator verdict on a work order; stored, and published as a `workorder` event. */
  verdict(id: string, input: Omit<VerdictInput, 'at'>): Promise<VerdictResult> {
    return this.#enqueue(async (): Promise<VerdictResult> => {
      const decided: { refused?: VerdictResult } = {};
      // Read, decided and stored with no other write to the order in between (an alert of another process).
      const stored = await this.#options.repository.updateWorkOrder(id, (order) => {
        const result = applyVerdict(order, { ...input, at: this.#clock() });
        if (result.ok) return result.order;
        decided.refused = result;
        return undefined;
      });
      if (stored.ok) {
        await this.#publishOrder(stored.order, input.action);
        return stored;
      }
      if (stored.reason === 'another-active') return stored;
      return decided.refused ?? { ok: false, reason: 'not-found' };
    });
  }

  /** Saves the states changed since the last snapshot. Overlapping calls share one run; never rejects. */
  snapshot(): Promise<void> {
    this.#snapshotting ??= this.#saveStates(false).finally(() => {
      this.#snapshotting = undefined;
    });
    return this.#snapshotting;
  }

  /**
   * Every detector's state, once the readings given so far are scored (marking them saved: call it
   * right after `forceFlush`, when nothing is left unsaved).
   */
  async allStates(): Promise<DetectorState[]> {
    await this.#settled();
    return this.#engine.takeStates(true);
  }

  /**
   * Waits for pending alerts and verdicts, tries the alerts that could not be recorded again, then
   * saves every changed state. Rejects (after saving) while an alert is still unrecorded: whoever
   * acknowledges the readings once this resolves (a shard's commit) must not do so yet, or the
   * alert would be lost.
   */
  async forceFlush(): Promise<void> {
    await this.#settled();
    await this.#enqueue(() => this.#retryUnrecorded());
    await this.#snapshotting;
    await this.#saveStates(false);
    if (this.#unrecorded.length > 0)
      throw new Error(
        `${this.#unrecorded.length} alerts are not recorded yet (kept and tried again): ${describeError(this.#lastFailure)}`,
      );
  }

  /** Stops following readings, finishes pending work and saves detector states. */
  async shutdown(): Promise<void> {
    this.#stopping = true;
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    if (this.#retryTimer !== undefined) clearInterval(this.#retryTimer);
    try {
      await this.forceFlush();
    } catch (error) {
      this.#onError(new Error(`stopped with alerts not recorded: ${describeError(error)}`));
    }
    this.#stopped = true;
    await this.#engine.close();
  }

  #enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#serial.then(work);
    this.#serial = run.catch(() => undefined);
    return run;
  }

  /** Raises one alert in turn; never rejects (an alert not recorded is kept for a retry). */
  async #handle(crossing: Crossing): Promise<void> {
    this.#pendingAlerts += 1;
    try {
      await this.#enqueue(() => this.#attempt(crossing));
    } finally {
      this.#pendingAlerts -= 1;
    }
  }

  async #attempt(crossing: Crossing): Promise<void> {
    try {
      await this.#raise(crossing);
    } catch (error) {
      this.#unrecorded.push(crossing);
      this.#lastFailure = error;
      const at = new Date(crossing.ts).toISOString();
      this.#onError(
        new Error(
          `alert of sensor ${crossing.sensor} at ${at} not recorded (kept and tried again): ${describeError(error)}`,
        ),
      );
    }
  }

  /** Tries the kept alerts again in order, up to the first that fails again. Never rejects. */
  async #retryUnrecorded(): Promise<void> {
    while (this.#unrecorded.length > 0) {
      try {
        await this.#raise(this.#unrecorded[0]!);
      } catch (error) {
        this.#lastFailure = error;
        return;
      }
      this.#unrecorded.shift();
    }
  }

  /**
   * Records the alert and its work order (rejects if it cannot: recording is idempotent, an alert of
   * a (sensor, ts) already recorded is dropped, so it is safe to try again), then publishes them as
   * stored: nothing for a dropped repeat, and the order as the repository holds it (in a scaled-out
   * platform, with the verdicts and alerts other processes wrote since it was read here).
   */
  async #raise(crossing: Crossing): Promise<void> {
    const { registry, repository, bus } = this.#options;
    const sensor = await registry.getSensor(crossing.sensor);
    // Sensors tagged `failure_prediction=off` (e.g. traffic detectors feeding a signal controller)
    // keep their detector running but raise no alerts or work orders.
    if (sensor?.tags[failurePredictionTag] === 'off') return;
    const asset = sensor?.asset ?? crossing.sensor;
    const assetType = (sensor?.asset ? (await registry.getAsset(sensor.asset))?.type : undefined) ?? 'other';
    const draft = { id: this.#newId(), asset, threshold: this.threshold, ...crossing };
    const active = await repository.activeWorkOrder(asset);
    const { order, alert } = applyAlert(active, draft, assetType, this.#newId());
    const stored = await repository.recordAlert(alert, order);
    // A repeat of an alert recorded before a crash: it was published then.
    if (!stored.recorded) return;
    // Recorded: a failed publish is reported, not tried again (the alert is in the repository).
    try {
      await bus.publish('events', {
        type: 'alert',
        ts: stored.alert.ts,
        sensor: stored.alert.sensor,
        asset: stored.alert.asset,
        data: { alert: stored.alert },
      });
      await this.#publishOrder(stored.order, stored.opened ? 'opened' : 'updated');
    } catch (error) {
      this.#onError(error);
    }
  }

  async #publishOrder(order: WorkOrder, change: string): Promise<void> {
    await this.#options.bus.publish('events', {
      type: 'workorder',
      ts: this.#clock(),
      asset: order.asset,
      data: { change, workOrder: order },
    });
  }

  /**
   * Saves changed states in chunks of `snapshotChunkStates`, so that a million sensors' states are
   * never all copied at once. Stops after one pass over the sensors even if readings keep
   * changing states meanwhile (those wait for the next snapshot).
   */
  async #saveStates(all: boolean): Promise<void> {
    // A dead engine has no states to give, and held readings are not in the new one's yet.
    while (this.#replacing !== undefined) await this.#replacing;
    // Every reading handed over before now is in the states taken below (engines score in order).
    const takenAt = this.#clock();
    const chunk = this.#options.snapshotChunkStates ?? 50_000;
    const passes = Math.ceil(this.#engine.sensorCount() / chunk) + 1;
    for (let pass = 0; pass < passes; pass++) {
      let states;
      try {
        states = await this.#engine.takeStates(all && pass === 0, chunk);
      } catch (error) {
        this.#onError(error);
        return;
      }
      try {
        if (states.length > 0) await this.#options.states.saveDetectorStates(states);
        // Nothing left unsaved: a restart may start the catch-up of sensors with no state from here.
        if (states.length < chunk) await this.#options.states.markStatesSaved?.(takenAt);
      } catch (error) {
        this.#engine.markDirty(states.map((state) => state.sensor));
        this.#onError(error);
        return;
      }
      if (states.length < chunk) return;
    }
  }
}
