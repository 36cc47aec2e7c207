/**
 * Lane changing after CityFlow's SimpleLaneChange, simplified to an
 * instantaneous move: a vehicle at least 30 m before the end of its lane,
 * not changed in the last 3 s, whose gap ahead is between 1.5 vehicle
 * lengths and 2 lengths + 4 s at top speed, moves to a neighbouring lane
 * that still leads along its route when the gap there is longer by more
 * than its length (inner lane preferred only if better than the outer),
 * and when the new leader is beyond its braking distance and the new
 * follower is beyond the follower's. CityFlow moves laterally over a few
 * seconds with a "shadow" vehicle in both lanes; here the change takes
 * one step.
 */
import type { Lane, Road } from './network.ts';
import { laneKind } from './network.ts';
import { planPath } from './route.ts';
import type { Vehicle } from './vehicle.ts';

const coolingSeconds = 3;
const minRemainingMetres = 30;

/** Vehicle ahead at or beyond `dis` on `lane` (lanes hold vehicles front first). */
function ahead(lane: Lane, dis: number): Vehicle | undefined {
  let found: Vehicle | undefined;
  for (const v of lane.vehicles) {
    if (v.dis >= dis) found = v;
    else break;
  }
  return found;
}

function behind(lane: Lane, dis: number): Vehicle | undefined {
  for (const v of lane.vehicles) if (v.dis < dis) return v;
  return undefined;
}

function estimateGap(lane: Lane, v: Vehicle): number {
  const leader = ahead(lane, v.dis);
  return leader === undefined ? lane.lengthMetres - v.dis : leader.dis - v.dis - leader.lengthMetres;
}

function remainingRoads(v: Vehicle): Road[] {
  const roads: Road[] = [];
  for (let i = v.pathIndex; i < v.path.length; i += 2) roads.push((v.path[i] as Lane).road);
  return roads;
}

/** The road after the vehicle's current one, if any (the lane two drivables ahead on its path). */
function nextRoad(v: Vehicle): Road | undefined {
  return (v.path[v.pathIndex + 2] as Lane | undefined)?.road;
}

/** Whether `lane` lets the vehicle continue its route to `next` (any lane on the last road). */
function leadsOn(lane: Lane, next: Road | undefined): boolean {
  if (next === undefined) return true;
  for (const link of lane.laneLinks) if (link.endLane.road === next) return true;
  return false;
}

function target(v: Vehicle, lane: Lane, intervalSeconds: number): Lane | null {
  if (lane.lengthMetres - v.dis < minRemainingMetres) return null;
  const expectedGap = 2 * v.lengthMetres + 4 * intervalSeconds * v.maxSpeed;
  if (v.gap > expectedGap || v.gap < 1.5 * v.lengthMetres) return null;
  const lanes = lane.road.lanes;
  const next = nextRoad(v);
  let chosen: Lane | null = null;
  let outerGap = 0;
  const outer = lanes[lane.laneIndex + 1];
  if (outer !== undefined && leadsOn(outer, next)) {
    outerGap = estimateGap(outer, v);
    if (outerGap > v.gap + v.lengthMetres) chosen = outer;
  }
  const inner = lanes[lane.laneIndex - 1];
  if (inner !== undefined && leadsOn(inner, next)) {
    const innerGap = estimateGap(inner, v);
    if (innerGap > v.gap + v.lengthMetres && innerGap > outerGap) chosen = inner;
  }
  return chosen;
}

function safe(v: Vehicle, lane: Lane): boolean {
  const leader = ahead(lane, v.dis);
  if (leader !== undefined && leader.dis - v.dis - leader.lengthMetres < v.minBrakeMetres()) return false;
  const follower = behind(lane, v.dis);
  if (follower !== undefined && v.dis - follower.dis - v.lengthMetres < follower.minBrakeMetres())
    return false;
  return true;
}

/**
 * Moves vehicles that want and may change lanes; returns whether any did. When `changedLanes` is
 * given, both lanes of every change are appended to it (a lane may appear more than once).
 */
export function changeLanes(
  running: readonly Vehicle[],
  nowSeconds: number,
  intervalSeconds: number,
  changedLanes?: Lane[],
): boolean {
  let changed = false;
  for (const v of running) {
    if (v.drivable.kind !== laneKind || nowSeconds - v.lastLaneChangeSeconds < coolingSeconds) continue;
    const lane = v.drivable as Lane;
    const to = target(v, lane, intervalSeconds);
    if (to === null || !safe(v, to)) continue;
    lane.vehicles.splice(lane.vehicles.indexOf(v), 1);
    let at = 0;
    while (at < to.vehicles.length && to.vehicles[at]!.dis >= v.dis) at++;
    to.vehicles.splice(at, 0, v);
    v.path = [...v.path.slice(0, v.pathIndex), ...planPath(to, remainingRoads(v))];
    v.drivable = to;
    v.lastLaneChangeSeconds = nowSeconds;
    changedLanes?.push(lane, to);
    changed = true;
  }
  return changed;
}
