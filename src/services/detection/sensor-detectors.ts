import { decideAlert } from '../../core/maintenance/alert.ts';
import type { EvidencePoint } from '../../core/maintenance/alert.ts';
import { PointRings } from '../../core/maintenance/point-rings.ts';
import type { Reading } from '../../core/readings/reading.ts';
import { detachedCopy } from '../../core/readings/sensor-keys.ts';
import type { DetectorState } from '../../ports/maintenance.ts';
import type { Crossing, ScoringOptions } from '../../ports/scoring.ts';
import type { AnomalyDetector, DetectorSpec } from '../../core/anomaly/detector.ts';

export type { Crossing } from '../../ports/scoring.ts';

export interface SensorDetectorsOptions extends ScoringOptions {
  detector: DetectorSpec;
}

interface Entry {
  detector: AnomalyDetector;
  /** The sensor's ring of its last `evidencePoints` points. */
  ring: number;
  /** Its ring of the last `historyPoints` points, once its scores were asked for or it alerted; −1 before. */
  longRing: number;
  lastTs: number;
  lastAlertAt: number | null;
  dirty: boolean;
}

/**
 * One detector per sensor, created on the sensor's first reading. Synchronous and allocation-light:
 * this is the hot path every accepted reading goes through.
 *
 * Score history in two tiers: every sensor keeps its last `evidencePoints` (ts, value, score)
 * points, what an alert carries; the longer series of `historyPoints` points is kept from the
 * moment a sensor's scores are first asked for (the dashboard opens its chart) or it alerts. A
 * million sensors then cost 0.3 KB of history each instead of 1.2 KB.
 */
export class SensorDetectors {
  readonly #entries = new Map<string, Entry>();
  readonly #options: SensorDetectorsOptions;
  readonly #evidence: PointRings;
  readonly #history: PointRings;

  constructor(options: SensorDetectorsOptions) {
    for (const key of ['suppressionMillis', 'evidencePoints', 'historyPoints'] as const) {
      if (!Number.isFinite(options[key]) || options[key] < 0) {
        throw new RangeError(`${key} must be a non-negative number, got ${options[key]}`);
      }
    }
    if (options.evidencePoints > options.historyPoints) {
      throw new RangeError(
        `evidencePoints (${options.evidencePoints}) exceeds historyPoints (${options.historyPoints})`,
      );
    }
    this.#options = options;
    this.#evidence = new PointRings(Math.max(1, options.evidencePoints));
    this.#history = new PointRings(Math.max(1, options.historyPoints));
  }

  get sensorCount(): number {
    return this.#entries.size;
  }

  /** Scores each reading in order; readings not newer than the sensor's last one are skipped. */
  process(readings: readonly Reading[]): Crossing[] {
    const crossings: Crossing[] = [];
    this.#runEntry = undefined;
    for (const reading of readings) this.#score(reading.sensor, reading.ts, reading.value, crossings);
    return crossings;
  }

  /** `process` for a batch held as columns (the form a batch crosses a thread boundary in). */
  processColumns(sensors: readonly string[], timestamps: Float64Array, values: Float64Array): Crossing[] {
    const crossings: Crossing[] = [];
    this.#runEntry = undefined;
    for (let index = 0; index < sensors.length; index++) {
      this.#score(sensors[index] as string, timestamps[index] as number, values[index] as number, crossings);
    }
    return crossings;
  }

  // Batches from one device repeat its sensor: the entry is looked up once per run of readings.
  #runSensor: string | undefined;
  #runEntry: Entry | undefined;

  #score(sensor: string, ts: number, value: number, crossings: Crossing[]): void {
    let entry = this.#runEntry;
    if (entry === undefined || this.#runSensor !== sensor) {
      entry = this.#entry(sensor);
      this.#runSensor = sensor;
      this.#runEntry = entry;
    }
    if (ts <= entry.lastTs) return;
    entry.lastTs = ts;
    entry.dirty = true;
    const score = entry.detector.update(ts, value);
    this.#evidence.push(entry.ring, ts, value, score);
    if (entry.longRing >= 0) this.#history.push(entry.longRing, ts, value, score);
    // Below the threshold nothing is raised: skip the decision (and its result object), the
    // common case on this per-reading path.
    const { threshold } = this.#options;
    if (!(score >= threshold)) return;
    if (
      !this.#learning(entry.detector, ts) &&
      decideAlert(score, threshold, ts, entry, this.#options.suppressionMillis).raise
    ) {
      entry.lastAlertAt = ts;
      crossings.push({
        sensor,
        ts,
        score,
        evidence: this.#evidence.last(entry.ring, this.#options.evidencePoints),
      });
      this.#keepHistory(entry);
    }
  }

  /**
   * A sensor still learning raises no alert: before `learningReadings` readings, and before its
   * readings span `learningSpanMillis`.
   */
  #learning(detector: AnomalyDetector, ts: number): boolean {
    const seen = detector.readingsSeen?.() ?? Number.POSITIVE_INFINITY;
    if (seen < (this.#options.learningReadings ?? 0)) return true;
    // −∞ (a state that predates the first timestamp) counts as learned; so does a detector without one.
    const first = detector.firstTimestamp?.() ?? Number.NEGATIVE_INFINITY;
    return ts - first < (this.#options.learningSpanMillis ?? 0);
  }

  /** The kept (ts, value, score) points of a sensor in [fromMillis, toMillis); undefined if unknown. */
  history(sensor: string, fromMillis: number, toMillis: number): EvidencePoint[] | undefined {
    const entry = this.#entries.get(sensor);
    if (entry === undefined) return undefined;
    this.#keepHistory(entry);
    return this.#history.between(entry.longRing, fromMillis, toMillis);
  }

  /** Starts the sensor's long series, from the points its short ring holds. */
  #keepHistory(entry: Entry): void {
    if (entry.longRing >= 0) return;
    entry.longRing = this.#history.allocate();
    for (const point of this.#evidence.last(entry.ring, this.#options.evidencePoints)) {
      this.#history.push(entry.longRing, point.ts, point.value, point.score);
    }
  }

  /**
   * States of the sensors updated since they were last taken (all of them with `all`), at most
   * `limit` of them, marking them clean: a caller takes a million sensors' states in chunks.
   */
  takeStates(all = false, limit = Number.POSITIVE_INFINITY): DetectorState[] {
    const states: DetectorState[] = [];
    if (all) for (const entry of this.#entries.values()) entry.dirty = true;
    for (const [sensor, entry] of this.#entries) {
      if (states.length >= limit) break;
      if (!entry.dirty) continue;
      entry.dirty = false;
      states.push({
        sensor,
        state: entry.detector.snapshot(),
        lastTs: entry.lastTs,
        lastAlertAt: entry.lastAlertAt,
      });
    }
    return states;
  }

  /** Marks sensors dirty again after their states failed to save. */
  markDirty(sensors: readonly string[]): void {
    for (const sensor of sensors) {
      const entry = this.#entries.get(sensor);
      if (entry !== undefined) entry.dirty = true;
    }
  }

  /**
   * Revives saved states. A state the detector cannot read (saved by another detector
   * configuration) is skipped and counted: that sensor learns again from zero.
   */
  restore(states: readonly DetectorState[]): { restored: number; skipped: number } {
    let restored = 0;
    this.#runEntry = undefined;
    for (const saved of states) {
      let detector: AnomalyDetector | undefined;
      try {
        detector = this.#options.detector.restore(saved.state);
      } catch {
        detector = undefined;
      }
      if (detector === undefined) continue;
      const known = this.#entries.get(saved.sensor);
      this.#entries.set(saved.sensor, {
        detector,
        ring: known?.ring ?? this.#evidence.allocate(),
        longRing: known?.longRing ?? -1,
        lastTs: saved.lastTs,
        lastAlertAt: saved.lastAlertAt,
        dirty: false,
      });
      restored += 1;
    }
    return { restored, skipped: states.length - restored };
  }

  #entry(sensor: string): Entry {
    let entry = this.#entries.get(sensor);
    if (entry === undefined) {
      entry = {
        detector: this.#options.detector.create(),
        ring: this.#evidence.allocate(),
        longRing: -1,
        lastTs: Number.NEGATIVE_INFINITY,
        lastAlertAt: null,
        dirty: true,
      };
      this.#entries.set(detachedCopy(sensor), entry);
    }
    return entry;
  }
}
