/** Detector view of the engine's lanes: counts a loop or camera on each lane would report. */
import type { LaneState } from './controller.ts';
import type { Lane } from './network.ts';

const waitingSpeed = 0.1;

export function laneState(lane: Lane, approachMetres: number): LaneState {
  let waiting = 0;
  let approaching = 0;
  let near = 0;
  const from = lane.lengthMetres - approachMetres;
  for (const v of lane.vehicles) {
    if (v.speed < waitingSpeed) waiting++;
    if (v.dis >= from) {
      near++;
      if (v.speed >= waitingSpeed) approaching++;
    }
  }
  return {
    vehicles: lane.vehicles.length,
    waitingVehicles: waiting,
    approachingVehicles: approaching,
    nearVehicles: near,
    lengthMetres: lane.lengthMetres,
    approachMetres,
  };
}
