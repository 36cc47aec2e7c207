/**
 * Right of way inside intersections (CityFlow's model): each step every
 * crossing point learns the nearest vehicle about to use it on each of its
 * two lane links; a vehicle that may not pass a crossing stops before it.
 */
import { type Lane, type Cross, type Intersection, type LaneLink, laneKind, linkKind } from './network.ts';
import { reachStepsOnLink, stopBeforeSpeed, type Vehicle } from './vehicle.ts';

const leaveMetres = 0;

function notify(cross: Cross, side: number, vehicle: Vehicle, distance: number, step: number): void {
  if (side === 0) {
    cross.vehicle0 = vehicle;
    cross.notifyDistance0 = distance;
    cross.stamp0 = step;
  } else {
    cross.vehicle1 = vehicle;
    cross.notifyDistance1 = distance;
    cross.stamp1 = step;
  }
}

/** The vehicle notified on the other side of `cross` this step, if any. */
function foeOf(cross: Cross, side: 0 | 1, step: number): Vehicle | null {
  if (side === 0) return cross.stamp1 === step ? cross.vehicle1 : null;
  return cross.stamp0 === step ? cross.vehicle0 : null;
}

/**
 * Records, for each crossing of each lane link, the nearest vehicle that will
 * pass it this step (`step` stamps the notification instead of clearing).
 */
export function notifyCrosses(intersections: readonly Intersection[], step: number): void {
  for (const intersection of intersections) {
    for (const link of intersection.laneLinks) {
      const crosses = link.crosses;
      const distances = link.crossDistances;
      const sides = link.crossSides;
      let k = crosses.length - 1;
      if (k < 0) continue;
      const startVehicles = link.startLane.vehicles;
      const endVehicles = link.endLane.vehicles;
      // Nothing to notify: no vehicle on the link, before it or just past it (most links, most steps).
      if (link.vehicles.length === 0 && startVehicles.length === 0 && endVehicles.length === 0) continue;
      const tail = endVehicles[endVehicles.length - 1];
      if (tail !== undefined && tail.previous === link) {
        const tailDistance = tail.dis - tail.lengthMetres;
        while (k >= 0) {
          const fromEnd = link.lengthMetres - distances[k]!;
          if (fromEnd + tailDistance < leaveMetres) {
            notify(crosses[k]!, sides[k]!, tail, -(tail.dis + fromEnd), step);
            k--;
          } else break;
        }
      }
      for (const vehicle of link.vehicles) {
        const at = vehicle.dis;
        while (k >= 0) {
          const crossAt = distances[k]!;
          if (at > crossAt) {
            if (at - crossAt - vehicle.lengthMetres <= leaveMetres)
              notify(crosses[k]!, sides[k]!, vehicle, crossAt - at, step);
            else break;
          } else notify(crosses[k]!, sides[k]!, vehicle, crossAt - at, step);
          k--;
        }
      }
      const first = startVehicles[0];
      if (first !== undefined && first.nextDrivable() === link && link.roadLink.available()) {
        const toEnd = link.startLane.lengthMetres - first.dis;
        for (; k >= 0; k--) notify(crosses[k]!, sides[k]!, first, toEnd + distances[k]!, step);
      }
    }
  }
}

function canPass(
  cross: Cross,
  vehicle: Vehicle,
  link: LaneLink,
  toLinkStart: number,
  interval: number,
  step: number,
): boolean {
  const side = cross.side(link);
  const foe = foeOf(cross, side, step);
  if (foe === null) return true;
  const d1 = cross.distances[side] - toLinkStart;
  if (!vehicle.canYield(d1)) return true;
  const foeLink = cross.links[1 - side]!;
  const d2 = side === 0 ? cross.notifyDistance1 : cross.notifyDistance0;
  const t1 = link.roadLink.rank;
  const t2 = foeLink.roadLink.rank;
  let yieldTo = 0;
  if (!foe.canYield(d2)) yieldTo = 1;
  if (yieldTo === 0) {
    if (t1 > t2) yieldTo = -1;
    else if (t1 < t2) {
      if (d2 > 0) {
        const foeSteps = reachStepsOnLink(foe, d2, foeLink, interval);
        if (foeSteps > reachStepsOnLink(vehicle, d1, link, interval)) yieldTo = -1;
      } else if (d2 + foe.lengthMetres < 0) yieldTo = -1;
      if (yieldTo === 0) yieldTo = 1;
    } else if (d2 > 0) {
      const foeSteps = reachStepsOnLink(foe, d2, foeLink, interval);
      const steps = reachStepsOnLink(vehicle, d1, link, interval);
      if (foeSteps > steps) yieldTo = -1;
      else if (foeSteps < steps) yieldTo = 1;
      else if (vehicle.enterLinkStep === foe.enterLinkStep) {
        if (d1 === d2) yieldTo = vehicle.priority > foe.priority ? -1 : 1;
        else yieldTo = d1 < d2 ? -1 : 1;
      } else yieldTo = vehicle.enterLinkStep < foe.enterLinkStep ? -1 : 1;
    } else yieldTo = d2 + foe.lengthMetres < 0 ? -1 : 1;
  }
  if (yieldTo === 1) {
    // Deadlock: the foe (transitively) waits for a vehicle that waits for it.
    let fast: Vehicle | null = foe;
    let slow: Vehicle | null = foe;
    while (fast !== null && fast.blocker !== null) {
      slow = slow!.blocker;
      fast = fast.blocker.blocker;
      if (slow === fast) {
        yieldTo = -1;
        break;
      }
    }
  }
  return yieldTo === -1;
}

function canEnter(lane: Lane, vehicle: Vehicle): boolean {
  const tail = lane.lastVehicle();
  if (tail === undefined) return true;
  return tail.dis > tail.lengthMetres + vehicle.lengthMetres || tail.speed >= 2;
}

/** Speed limit from the signal, the space behind the stop line and crossing points ahead. */
export function intersectionSpeed(vehicle: Vehicle, interval: number, step: number): number {
  let speed = vehicle.maxSpeed;
  const current = vehicle.drivable;
  const next = vehicle.nextDrivable();
  let link: LaneLink | null = null;
  if (next !== undefined && next.kind === linkKind) {
    link = next as LaneLink;
    if (!link.roadLink.available() || !canEnter(link.endLane, vehicle)) {
      const remaining = current.lengthMetres - vehicle.dis;
      if (vehicle.minBrakeMetres() <= remaining) {
        const stop = stopBeforeSpeed(vehicle, remaining, interval);
        return stop < speed ? stop : speed;
      }
    }
    if (link.roadLink.turn && vehicle.turnSpeed < speed) speed = vehicle.turnSpeed;
  }
  if (link === null && current.kind === linkKind) link = current as LaneLink;
  if (link === null) return speed;
  const toLinkStart = current.kind === laneKind ? -(current.lengthMetres - vehicle.dis) : vehicle.dis;
  const crosses = link.crosses;
  for (let k = 0; k < crosses.length; k++) {
    const crossAt = link.crossDistances[k]!;
    if (crossAt < toLinkStart) continue;
    const cross = crosses[k]!;
    if (!canPass(cross, vehicle, link, toLinkStart, interval, step)) {
      const stop = stopBeforeSpeed(vehicle, crossAt - toLinkStart - vehicle.yieldMetres, interval);
      if (stop < speed) speed = stop;
      vehicle.nextBlocker = foeOf(cross, cross.side(link), step);
      break;
    }
  }
  return speed;
}
