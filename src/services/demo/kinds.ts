import { LocalTime } from '../../core/time/local-time.ts';

/**
 * What each kind of sensor of the demo city measures, and the shape of its synthetic signal:
 * `base + amplitude · daily(t) + noise`, where daily(t) follows the city's rhythm (low at night,
 * peaks in the morning and evening rush hours).
 */
export interface SensorKind {
  kind: string;
  unit: string;
  base: number;
  amplitude: number;
  noise: number;
  /** Readings never go below this (counts, percentages). */
  floor: number;
}

function kind(
  kind: string,
  unit: string,
  base: number,
  amplitude: number,
  noise: number,
  floor = -Infinity,
): SensorKind {
  return { kind, unit, base, amplitude, noise, floor };
}

/**
 * An emergency department's occupancy: patients in treatment, as the platform's emergency service
 * reads it (sensors of kind `occupancy` on `hospital` assets). The hospital model reports it, not
 * a synthetic signal.
 */
export const departmentOccupancyKind: SensorKind = kind('occupancy', 'patients', 0, 0, 0, 0);

/** Sensor kinds per asset type, in the order they are attached. */
export const kindsByAssetType: Readonly<Record<string, readonly SensorKind[]>> = {
  intersection: [kind('occupancy', '%', 18, 22, 3, 0), kind('speed', 'km/h', 42, -14, 3, 0)],
  pump: [
    kind('temperature', '°C', 62, 4, 0.6),
    kind('vibration', 'mm/s', 2.2, 0.6, 0.15, 0),
    kind('pressure', 'bar', 4.1, 0.4, 0.05, 0),
    kind('flow', 'm³/h', 120, 45, 4, 0),
  ],
  substation: [
    kind('load', 'MW', 21, 7, 0.6, 0),
    kind('temperature', '°C', 41, 5, 0.5),
    kind('voltage', 'kV', 11, -0.15, 0.03, 0),
  ],
  'water-main': [kind('pressure', 'bar', 5.2, -0.5, 0.06, 0), kind('flow', 'L/s', 80, 35, 3, 0)],
  bridge: [
    kind('strain', 'µε', 140, 55, 6),
    kind('vibration', 'mm/s', 1.1, 0.5, 0.1, 0),
    kind('temperature', '°C', 13, 5, 0.4),
  ],
  hospital: [departmentOccupancyKind, kind('power', 'kW', 820, 180, 15, 0)],
};

export const travelTimeKind: SensorKind = kind('travel-time', 's', 300, 120, 15, 0);

/**
 * The city's clock: its centre (`cityCentre`, Sion in Valais) keeps Swiss time, so its rush hours
 * come at 8 and 18 there, summer and winter, wherever the platform runs.
 */
export const cityTime = new LocalTime('Europe/Zurich');

/** The city's daily rhythm in [−1, 1] at `hourOfDay` (0–24): night trough, rush-hour peaks at 8 and 18. */
export function dailyRhythm(hourOfDay: number): number {
  const morning = Math.exp(-((hourOfDay - 8) ** 2) / 4);
  const evening = Math.exp(-((hourOfDay - 18) ** 2) / 6);
  const day = 0.5 - 0.5 * Math.cos(((hourOfDay - 3) / 24) * 2 * Math.PI);
  return Math.max(-1, Math.min(1, 0.9 * (0.5 * day + 0.6 * Math.max(morning, evening)) * 2 - 1));
}
