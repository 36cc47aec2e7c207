import type { Presentation } from './presentation.ts';

/** A stable adult who walked in with ankle pain: a low-acuity patient for queue and load tests. */
export const walkIn: Presentation = {
  sex: 'female',
  ageYears: 34,
  arrivalMode: 'walk',
  injury: false,
  chiefComplaint: 'ankle pain',
  mental: 'alert',
  pain: true,
  painScore: 3,
  systolicMmHg: 120,
  diastolicMmHg: 80,
  heartRatePerMinute: 78,
  respiratoryRatePerMinute: 16,
  temperatureCelsius: 36.6,
  oxygenSaturationPercent: 98,
};
