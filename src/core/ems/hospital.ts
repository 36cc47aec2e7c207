/** Emergency departments as city assets, and their live state. */
import type { Level } from '../triage/presentation.ts';

export type Location = { xKm: number; yKm: number };

export type Hospital = {
  id: string;
  name: string;
  location: Location;
  /** Treatment spaces (beds, bays) in the emergency department; 0 = closed. */
  treatmentSpaces: number;
  /** Emergency doctors on shift; 0 = closed. */
  doctorsOnShift: number;
};

/** A hospital with its live load, as reported by its occupancy sensors. */
export type HospitalStatus = {
  hospital: Hospital;
  /** Patients being treated now (occupied treatment places). */
  inTreatment: number;
  /** Patients waiting to be seen, by level index 0–4 (level 1 first). */
  waitingByLevel: readonly number[];
  /** Ambulances already heading there, by level index 0–4 (known to dispatch). */
  incomingByLevel?: readonly number[];
};

/** Patients the department can treat at once: a space and a doctor each. */
export function treatmentSlots(hospital: Pick<Hospital, 'treatmentSpaces' | 'doctorsOnShift'>): number {
  return Math.max(0, Math.min(hospital.treatmentSpaces, hospital.doctorsOnShift));
}

export function distanceKm(a: Location, b: Location): number {
  return Math.hypot(a.xKm - b.xKm, a.yKm - b.yKm);
}

/**
 * Checks a hospital's figures; returns the problems, empty when valid. A department with no
 * treatment space or no doctor (0) is valid: it is closed, and no patient is sent there.
 */
export function hospitalProblems(hospital: Hospital): string[] {
  const problems: string[] = [];
  if (hospital.id === '') problems.push('id is empty');
  for (const key of ['treatmentSpaces', 'doctorsOnShift'] as const) {
    const value = hospital[key];
    if (!Number.isInteger(value) || value < 0) problems.push(`${key} ${value} must be a whole number ≥ 0`);
  }
  if (!Number.isFinite(hospital.location.xKm) || !Number.isFinite(hospital.location.yKm))
    problems.push('location must be finite');
  return problems;
}

export type { Level };
