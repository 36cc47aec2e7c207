/**
 * What the triage nurse knows at the door, and nothing more.
 *
 * Deliberately absent (not known at the door, and a leakage test pins it):
 * the nurse's level (KTAS_RN), the experts' level, diagnosis, disposition,
 * length of stay, triage duration, error group and mistriage.
 * Vital signs are `null` when not measured or not usable.
 */
export type Sex = 'female' | 'male';

/** KTAS arrival modes: walk-in, public (119) ambulance, private car, private ambulance, other. */
export type ArrivalMode = 'walk' | 'public-ambulance' | 'private-vehicle' | 'private-ambulance' | 'other';

/** Whether a patient came by ambulance (public or private). */
export function byAmbulance(mode: ArrivalMode): boolean {
  return mode === 'public-ambulance' || mode === 'private-ambulance';
}

/** AVPU: alert, responds to voice, responds to pain, unresponsive. */
export type MentalState = 'alert' | 'verbal' | 'pain' | 'unresponsive';

/** The kind of emergency department the patient came to (KTAS export column `Group`). */
export type Department = 'local' | 'regional';

export type Presentation = {
  /** Local or regional emergency department; absent when the file or request does not say. */
  department?: Department;
  sex: Sex;
  ageYears: number;
  arrivalMode: ArrivalMode;
  injury: boolean;
  chiefComplaint: string;
  mental: MentalState;
  /** Whether the patient reports pain. */
  pain: boolean;
  /** Numeric rating scale 0–10; null when not recorded for a patient in pain. */
  painScore: number | null;
  systolicMmHg: number | null;
  diastolicMmHg: number | null;
  heartRatePerMinute: number | null;
  respiratoryRatePerMinute: number | null;
  temperatureCelsius: number | null;
  /** Peripheral oxygen saturation in percent. */
  oxygenSaturationPercent: number | null;
};

/** A triage level: 1 = resuscitation … 5 = non-urgent. */
export type Level = 1 | 2 | 3 | 4 | 5;

export const levels: readonly Level[] = [1, 2, 3, 4, 5];

export function isLevel(value: number): value is Level {
  return value === 1 || value === 2 || value === 3 || value === 4 || value === 5;
}
