import type { EvidencePoint } from '../core/maintenance/alert.ts';
import type { ReadingBatch } from '../core/readings/reading-batch.ts';
import type { DetectorState } from './maintenance.ts';

/** A reading whose score crossed the threshold and was not suppressed. */
export interface Crossing {
  sensor: string;
  ts: number;
  score: number;
  evidence: EvidencePoint[];
}

/**
 * Where the per-sensor detectors run: on the caller's thread (the in-process adapter) or on a
 * thread of their own (the worker adapter), so that scoring never holds up ingest. Batches are
 * scored in the order they were given; every call sees the effect of the batches given before it.
 */
export interface ScoringEngine {
  /**
   * Scores a batch; resolves with the crossings it raised, in reading order. A batch with sensor
   * keys (`ReadingBatch`) has its sensors found by key, each id looked up only the first time.
   */
  score(readings: ReadingBatch): Promise<Crossing[]>;
  /** Readings given to `score` and not yet scored (for backpressure). */
  backlogReadings(): number;
  /** Sensors with a detector, as of the last batch scored. */
  sensorCount(): number;
  /** The kept (ts, value, score) points of a sensor in [fromMillis, toMillis); undefined if unknown. */
  history(sensor: string, fromMillis: number, toMillis: number): Promise<EvidencePoint[] | undefined>;
  /**
   * States of the sensors updated since they were last taken (all of them with `all`), at most
   * `limit`, marking them clean. With `resume` the scan goes on from where the previous call
   * stopped (a sweep in chunks takes each sensor once; it is over when fewer than `limit` come back).
   */
  takeStates(all: boolean, limit?: number, resume?: boolean): Promise<DetectorState[]>;
  /** Marks sensors dirty again after their states failed to save. */
  markDirty(sensors: readonly string[]): void;
  /** Revives saved states; a state the detector cannot read is skipped and counted. */
  restore(states: readonly DetectorState[]): Promise<{ restored: number; skipped: number }>;
  /**
   * Resolves once the engine scores without delay (a thread's code loaded and running); rejects
   * if it never will (the thread died). Scoring works before, its batches waiting meanwhile.
   */
  ready(): Promise<void>;
  /** True once the engine can no longer score (its thread died): it must be replaced. */
  broken(): boolean;
  /** Waits for every batch given so far, then stops. */
  close(): Promise<void>;
}

/** What configures the per-sensor detectors, wherever they run. */
export interface ScoringOptions {
  threshold: number;
  suppressionMillis: number;
  /** Points of evidence attached to an alert (the last ones up to the crossing). */
  evidencePoints: number;
  /** Points of (ts, value, score) history kept per sensor. */
  historyPoints: number;
  /** Readings a sensor's detector must have seen before its crossings raise alerts. */
  learningReadings?: number;
  /**
   * Time from a sensor's first reading before its crossings raise alerts, so that it has seen its
   * daily cycle (where the detector keeps the first timestamp).
   */
  learningSpanMillis?: number;
  /**
   * Memory the detectors' states (and their evidence) may take; beyond it the states of the
   * sensors least recently scored wait in a spill file and are read back at their next reading.
   * Undefined: all in memory.
   */
  stateMemoryBytes?: number;
  /** Folder of the spill file (with `stateMemoryBytes`). */
  spillFolder?: string;
}
