/** Shared helpers for pressure-style controllers: per-lane sums over movements and phases. */
import type { IntersectionObservation, LaneState, Movement, Phase } from '../controller.ts';

export type LaneMeasure = (lane: LaneState) => number;

export const waiting: LaneMeasure = (lane) => lane.waitingVehicles;
export const approaching: LaneMeasure = (lane) => lane.approachingVehicles;

export function sumLanes(
  observation: IntersectionObservation,
  laneIds: readonly string[],
  measure: LaneMeasure,
): number {
  let total = 0;
  for (const id of laneIds) {
    const lane = observation.lanes.get(id);
    if (lane !== undefined) total += measure(lane);
  }
  return total;
}

export function meanLanes(
  observation: IntersectionObservation,
  laneIds: readonly string[],
  measure: LaneMeasure,
): number {
  return laneIds.length === 0 ? 0 : sumLanes(observation, laneIds, measure) / laneIds.length;
}

/** Movements of a phase that a controller weighs: right turns are always green and excluded. */
export function phaseMovements(observation: IntersectionObservation, phase: Phase): Movement[] {
  const byId = new Map(observation.layout.movements.map((m) => [m.id, m]));
  const result: Movement[] = [];
  for (const id of phase.movementIds) {
    const m = byId.get(id);
    if (m !== undefined && !m.rightTurn) result.push(m);
  }
  return result;
}

/** Index of the best-scoring phase (first one on ties). */
export function bestPhase(observation: IntersectionObservation, score: (phase: Phase) => number): number {
  let best = observation.layout.phases[0]!.index;
  let bestScore = -Infinity;
  for (const phase of observation.layout.phases) {
    const s = score(phase);
    if (s > bestScore) {
      bestScore = s;
      best = phase.index;
    }
  }
  return best;
}
