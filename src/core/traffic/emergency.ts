/**
 * Emergency-vehicle priority requests: for each tracked vehicle, the
 * movements it will take at the next signalised intersections within
 * `horizonSeconds` of free-flow driving, as `PriorityRequest`s keyed by
 * intersection id (the nearest request wins).
 */
import type { PriorityRequest } from './controller.ts';
import { movementId } from './layout.ts';
import { linkKind, type LaneLink } from './network.ts';
import type { Vehicle } from './vehicle.ts';

export function priorityRequests(
  vehicles: readonly Vehicle[],
  controlled: ReadonlySet<string>,
  horizonSeconds: number,
): Map<string, PriorityRequest> {
  const requests = new Map<string, PriorityRequest>();
  for (const v of vehicles) {
    if (v.finished) continue;
    let metres = v.drivable.kind === linkKind ? 0 : v.drivable.lengthMetres - v.dis;
    const speed = Math.max(1, v.maxSpeed);
    for (let i = v.pathIndex + 1; i < v.path.length; i++) {
      const drivable = v.path[i]!;
      const eta = metres / speed;
      if (eta > horizonSeconds) break;
      if (drivable.kind === linkKind) {
        const link = drivable as LaneLink;
        const intersection = link.roadLink.intersection;
        const earlier = requests.get(intersection.id);
        if (controlled.has(intersection.id) && (earlier === undefined || earlier.etaSeconds > eta)) {
          requests.set(intersection.id, {
            movementId: movementId(intersection, link.roadLink.index),
            etaSeconds: eta,
          });
        }
      }
      metres += drivable.lengthMetres;
    }
  }
  return requests;
}
