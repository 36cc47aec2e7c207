import type { EvidencePoint } from '../../core/maintenance/alert.ts';
import {
  numberColumns,
  readingArray,
  sensorKeysOf,
  type ReadingBatch,
} from '../../core/readings/reading-batch.ts';
import type { DetectorState } from '../../ports/maintenance.ts';
import type { Crossing, ScoringEngine } from '../../ports/scoring.ts';
import { NamedKeys } from './named-keys.ts';
import { SensorDetectors, type OpenSpill, type SensorDetectorsOptions } from './sensor-detectors.ts';

/** The detectors on the caller's thread: each batch is scored at once, inside `score`. */
export class InProcessScoring implements ScoringEngine {
  readonly detectors: SensorDetectors;
  readonly #named = new NamedKeys();

  /** `openSpill`: where states wait out of memory, with `stateMemoryBytes`. */
  constructor(options: SensorDetectorsOptions, openSpill?: OpenSpill) {
    this.detectors = new SensorDetectors(options, openSpill);
  }

  score(readings: ReadingBatch): Promise<Crossing[]> {
    const keys = sensorKeysOf(readings);
    if (keys === undefined) return Promise.resolve(this.detectors.process(readingArray(readings)));
    const names = this.#named.take(keys, readings);
    this.detectors.nameKeys(names.keys, names.ids);
    const { timestamps, values } = numberColumns(readings);
    return Promise.resolve(this.detectors.processKeyed(keys, timestamps, values));
  }

  backlogReadings(): number {
    return 0;
  }

  sensorCount(): number {
    return this.detectors.sensorCount;
  }

  history(sensor: string, fromMillis: number, toMillis: number): Promise<EvidencePoint[] | undefined> {
    return Promise.resolve(this.detectors.history(sensor, fromMillis, toMillis));
  }

  takeStates(all: boolean, limit?: number, resume?: boolean): Promise<DetectorState[]> {
    return Promise.resolve(this.detectors.takeStates(all, limit, resume));
  }

  markDirty(sensors: readonly string[]): void {
    this.detectors.markDirty(sensors);
  }

  restore(states: readonly DetectorState[]): Promise<{ restored: number; skipped: number }> {
    return Promise.resolve(this.detectors.restore(states));
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  broken(): boolean {
    return false;
  }

  close(): Promise<void> {
    this.detectors.close();
    return Promise.resolve();
  }
}
