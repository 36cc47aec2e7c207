import type { Level } from '../core/triage/presentation.ts';

/** A triaged patient waiting in a hospital's emergency queue. */
export interface QueuedPatient {
  hospital: string;
  patientId: string;
  level: Level;
  /** When the patient was admitted to the queue, epoch ms. */
  arrivalMillis: number;
}

/**
 * Every hospital's emergency queue, kept where it survives a restart and, in a cluster, shared by
 * every API process. A patient is seen in the order: level, then arrival, then entry. A write is
 * durable once its promise resolves, so an acknowledged admission is never lost.
 */
export interface PatientQueueStore {
  /** Every waiting patient of every hospital, in entry order. */
  waiting(): Promise<QueuedPatient[]>;
  /** Adds a patient; false (and nothing written) when the patient already waits at that hospital. */
  add(patient: QueuedPatient): Promise<boolean>;
  /**
   * Removes and returns the hospital's next patient, or undefined when nobody waits there. Two
   * callers never take the same patient.
   */
  takeNext(hospital: string): Promise<QueuedPatient | undefined>;
  /** Removes a waiting patient (left without being seen); false when the patient was not waiting. */
  withdraw(hospital: string, patientId: string): Promise<boolean>;
}
