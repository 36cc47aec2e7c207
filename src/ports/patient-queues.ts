import type { Level } from '../core/triage/presentation.ts';

/** A triaged patient waiting in a hospital's emergency queue. */
export interface QueuedPatient {
  hospital: string;
  patientId: string;
  level: Level;
  /** When the patient was admitted to the queue, epoch ms. */
  arrivalMillis: number;
}

/** A patient called in from a queue: in treatment from `calledMillis` (epoch ms) on. */
export interface CalledPatient extends QueuedPatient {
  calledMillis: number;
}

/**
 * Every hospital's emergency queue and the patients called in from it, kept where they survive a
 * restart and, in a cluster, shared by every API process. A patient is seen in the order: level,
 * then arrival, then entry. A write is durable once its promise resolves, so an acknowledged
 * admission or call is never lost.
 */
export interface PatientQueueStore {
  /** Every waiting patient of every hospital, in entry order. */
  waiting(): Promise<QueuedPatient[]>;
  /** Adds a patient; false (and nothing written) when the patient already waits at that hospital. */
  add(patient: QueuedPatient): Promise<boolean>;
  /**
   * Removes and returns the hospital's next patient, or undefined when nobody waits there, and
   * records the call at `calledMillis` in the same write. Two callers never take the same patient.
   */
  takeNext(hospital: string, calledMillis: number): Promise<QueuedPatient | undefined>;
  /**
   * The patients called in at `sinceMillis` or later, every hospital, in call order. Calls before
   * `sinceMillis` count no more: they are deleted, so the calls kept stay few.
   */
  called(sinceMillis: number): Promise<CalledPatient[]>;
  /** Removes a waiting patient (left without being seen); false when the patient was not waiting. */
  withdraw(hospital: string, patientId: string): Promise<boolean>;
}
