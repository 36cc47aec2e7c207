import { applyVerdict } from '../../core/maintenance/lifecycle.ts';
import type { TransitionResult, VerdictInput } from '../../core/maintenance/lifecycle.ts';
import { applyAlert } from '../../core/maintenance/work-order.ts';
import type { WorkOrder } from '../../core/maintenance/work-order.ts';
import type { MessageBus } from '../../ports/bus.ts';
import type { MaintenanceRepository } from '../../ports/maintenance.ts';
import type { Registry } from '../../ports/registry.ts';
import type { Crossing } from '../../ports/scoring.ts';
import { describeError } from '../../core/describe-error.ts';

/** Registry tag that turns alerts and work orders off for one sensor: `failure_prediction=off`. */
export const failurePredictionTag = 'failure_prediction';

export type VerdictResult =
  | { ok: true; order: WorkOrder }
  | { ok: false; reason: 'not-found' }
  | Exclude<TransitionResult, { ok: true }>
  /** A reopen while the asset has another active order, `active`. */
  | { ok: false; reason: 'another-active'; asset: string; active: string };

export interface AlertRecorderOptions {
  bus: MessageBus;
  repository: MaintenanceRepository;
  registry: Pick<Registry, 'getSensor' | 'getAsset'>;
  threshold: number;
  clock: () => number;
  newId: () => string;
  onError: (error: unknown) => void;
}

/**
 * Turns crossings into alerts and work orders, stored and published as `alert` and `workorder`
 * events, and applies operator verdicts. Alerts and verdicts run one at a time, so the
 * one-active-order-per-asset rule holds; an alert that could not be recorded is kept, in order,
 * and tried again (`retry`), never dropped.
 */
export class AlertRecorder {
  readonly #options: AlertRecorderOptions;
  #serial: Promise<unknown> = Promise.resolve();
  #pendingAlerts = 0;
  /** Crossings whose alert could not be recorded: kept, in order, and tried again; never dropped. */
  readonly #unrecorded: Crossing[] = [];
  #lastFailure: unknown;

  constructor(options: AlertRecorderOptions) {
    this.#options = options;
  }

  /** Alerts queued and not handled yet, and those kept unrecorded. */
  get pending(): number {
    return this.#pendingAlerts + this.#unrecorded.length;
  }

  /** Alerts kept because they could not be recorded. */
  get unrecorded(): number {
    return this.#unrecorded.length;
  }

  /** Why the last alert could not be recorded. */
  get lastFailure(): unknown {
    return this.#lastFailure;
  }

  /** Settles once the alerts and verdicts queued so far are handled; never rejects. */
  idle(): Promise<unknown> {
    return this.#serial;
  }

  /** Tries the kept alerts again, in turn with the others. Never rejects. */
  retry(): Promise<void> {
    return this.#enqueue(() => this.#retryUnrecorded());
  }

  /** An operator verdict on a work order; stored, and published as a `workorder` event. */
  verdict(id: string, input: Omit<VerdictInput, 'at'>): Promise<VerdictResult> {
    return this.#enqueue(async (): Promise<VerdictResult> => {
      const decided: { refused?: VerdictResult } = {};
      // Read, decided and stored with no other write to the order in between (an alert of another process).
      const stored = await this.#options.repository.updateWorkOrder(id, (order) => {
        const result = applyVerdict(order, { ...input, at: this.#options.clock() });
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

  #enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#serial.then(work);
    this.#serial = run.catch(() => undefined);
    return run;
  }

  /** Raises one alert in turn; never rejects (an alert not recorded is kept for a retry). */
  async handle(crossing: Crossing): Promise<void> {
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
      this.#options.onError(
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
    const { registry, repository, bus, newId } = this.#options;
    const sensor = await registry.getSensor(crossing.sensor);
    // Sensors tagged `failure_prediction=off` (e.g. traffic detectors feeding a signal controller)
    // keep their detector running but raise no alerts or work orders.
    if (sensor?.tags[failurePredictionTag] === 'off') return;
    const asset = sensor?.asset ?? crossing.sensor;
    const assetType = (sensor?.asset ? (await registry.getAsset(sensor.asset))?.type : undefined) ?? 'other';
    const draft = { id: newId(), asset, threshold: this.#options.threshold, ...crossing };
    const active = await repository.activeWorkOrder(asset);
    const { order, alert } = applyAlert(active, draft, assetType, newId());
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
      this.#options.onError(error);
    }
  }

  async #publishOrder(order: WorkOrder, change: string): Promise<void> {
    await this.#options.bus.publish('events', {
      type: 'workorder',
      ts: this.#options.clock(),
      asset: order.asset,
      data: { change, workOrder: order },
    });
  }
}
