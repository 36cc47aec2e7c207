import type { EmergencyVehicle } from './emergency-vehicles-panel.ts';

/**
 * Wall seconds a vehicle that arrived stays marked (dimmed) on the intersection its trip ended at.
 * At 120× a whole trip takes one or two of the page's refreshes (2 s apart), too short to notice;
 * 6 s keeps the mark for three more.
 */
export const arrivedShownSeconds = 6;

/** The emergency vehicles to mark on one intersection: those there now, and those that just arrived there. */
export interface EmergencyMarks {
  here: string[];
  arrived: string[];
}

/**
 * Per intersection (asset id), the vehicles to mark: each on its way where it is (`at`), and each
 * that left `to` less than `arrivedShownSeconds` of wall time before the snapshot, on `to`. Its
 * arrival is `startedSeconds + prioritySeconds` (simulated, as `timeSeconds`); `speed` (simulated
 * seconds per real second) turns that into wall time. Without `speed` (the demo's own queue model
 * has no vehicles) no arrival is marked; dropped vehicles never are.
 */
export function emergencyMarks(
  vehicles: readonly EmergencyVehicle[],
  timeSeconds: number,
  speed: number | undefined,
): Map<string, EmergencyMarks> {
  const marks = new Map<string, EmergencyMarks>();
  const add = (intersection: string, kind: keyof EmergencyMarks, id: string): void => {
    const mark = marks.get(intersection) ?? { here: [], arrived: [] };
    mark[kind].push(id);
    marks.set(intersection, mark);
  };
  for (const vehicle of vehicles) {
    if (vehicle.state === 'on-its-way' && vehicle.at !== null) add(vehicle.at, 'here', vehicle.id);
    if (
      vehicle.state !== 'arrived' ||
      vehicle.prioritySeconds === null ||
      !(speed !== undefined && speed > 0)
    )
      continue;
    const sinceSeconds = (timeSeconds - (vehicle.startedSeconds + vehicle.prioritySeconds)) / speed;
    if (sinceSeconds < arrivedShownSeconds) add(vehicle.to, 'arrived', vehicle.id);
  }
  return marks;
}
