/**
 * A vehicle and CityFlow's kinematics: the safe-speed car-following model,
 * stopping before a line, and the reach-time estimates used to settle
 * right of way at crossing points. Speeds in m/s, distances in metres,
 * the step is `intervalSeconds` long.
 */
import type { Drivable, LaneLink } from './network.ts';
import type { VehicleSpec } from './scenario.ts';

const epsilon = 1e-8;
export const notOnLink = 2147483647;

export class Vehicle {
  readonly lengthMetres: number;
  readonly maxPosAcc: number;
  readonly maxNegAcc: number;
  readonly usualPosAcc: number;
  readonly usualNegAcc: number;
  readonly minGapMetres: number;
  readonly maxSpeed: number;
  readonly headwaySeconds: number;
  readonly yieldMetres = 5;
  readonly turnSpeed = 8.3333;
  /** Remaining distance below which the vehicle follows intersection logic (and the leader search range). */
  readonly approachMetres: number;

  speed = 0;
  dis = 0;
  pathIndex = 0;
  drivable: Drivable;
  previous: Drivable | null = null;
  leader: Vehicle | null = null;
  gap = 0;
  blocker: Vehicle | null = null;
  enterLinkStep = notOnLink;
  /** Time of the last lane change (seconds), for the cooling time. */
  lastLaneChangeSeconds = -Infinity;
  running = false;
  finished = false;

  // Buffered results of the current step, applied together.
  nextSpeed = 0;
  nextDis = 0;
  nextPathIndex = 0;
  nextEnd = false;
  nextBlocker: Vehicle | null = null;

  // Measures.
  enteringSeconds = 0;
  enteredSignalLane = false;
  delaySeconds = 0;
  exitSeconds = -1;

  constructor(
    readonly id: number,
    spec: VehicleSpec,
    public path: readonly Drivable[],
    readonly enterSeconds: number,
    readonly priority: number,
    intervalSeconds: number,
    readonly tag: string = '',
  ) {
    this.lengthMetres = spec.lengthMetres;
    this.maxPosAcc = spec.maxPosAcc;
    this.maxNegAcc = spec.maxNegAcc;
    this.usualPosAcc = spec.usualPosAcc;
    this.usualNegAcc = spec.usualNegAcc;
    this.minGapMetres = spec.minGapMetres;
    this.maxSpeed = spec.maxSpeedMetresPerSecond;
    this.headwaySeconds = spec.headwayTimeSeconds;
    this.approachMetres =
      (this.maxSpeed * this.maxSpeed) / this.usualNegAcc / 2 + this.maxSpeed * intervalSeconds * 2;
    this.drivable = path[0]!;
  }

  nextDrivable(): Drivable | undefined {
    return this.path[this.pathIndex + 1];
  }

  minBrakeMetres(): number {
    return (0.5 * this.speed * this.speed) / this.maxNegAcc;
  }

  canYield(distance: number): boolean {
    return (
      (distance > 0 && this.minBrakeMetres() < distance - this.yieldMetres) ||
      (distance < 0 && distance + this.lengthMetres < 0)
    );
  }
}

/** Largest speed that keeps the follower able to stop behind a braking leader (CityFlow's formula). */
export function noCollisionSpeed(
  leaderSpeed: number,
  leaderDecel: number,
  followerSpeed: number,
  followerDecel: number,
  gap: number,
  interval: number,
  targetGap: number,
): number {
  const c =
    (followerSpeed * interval) / 2 + targetGap - (0.5 * leaderSpeed * leaderSpeed) / leaderDecel - gap;
  const a = 0.5 / followerDecel;
  const b = 0.5 * interval;
  if (b * b < 4 * a * c) return -100;
  const v1 = (0.5 / a) * (Math.sqrt(b * b - 4 * a * c) - b);
  const v2 = 2 * leaderSpeed - leaderDecel * interval + (2 * (gap - targetGap)) / interval;
  return v1 < v2 ? v1 : v2;
}

export function carFollowSpeed(v: Vehicle, interval: number): number {
  const leader = v.leader;
  if (leader === null) return v.maxSpeed;
  let speed = noCollisionSpeed(leader.speed, leader.maxNegAcc, v.speed, v.maxNegAcc, v.gap, interval, 0);
  const assumeDecel = v.speed > leader.speed ? v.speed - leader.speed : 0;
  const usual = noCollisionSpeed(
    leader.speed,
    leader.usualNegAcc,
    v.speed,
    v.usualNegAcc,
    v.gap,
    interval,
    v.minGapMetres,
  );
  if (usual < speed) speed = usual;
  const headway =
    (v.gap + (leader.speed + assumeDecel / 2) * interval - (v.speed * interval) / 2) /
    (v.headwaySeconds + interval / 2);
  return headway < speed ? headway : speed;
}

export function stopBeforeSpeed(v: Vehicle, distance: number, interval: number): number {
  const next = v.speed + v.usualPosAcc * interval;
  const brakeAfterAccel = ((v.speed + next) * interval) / 2 + (next * next) / v.usualNegAcc / 2;
  if (brakeAfterAccel < distance) return next;
  const take = (2 * distance) / (v.speed + epsilon) / interval;
  if (take >= 1) return v.speed - v.speed / Math.trunc(take);
  return v.speed - v.speed / take;
}

function distanceUntilSpeed(v: Vehicle, speed: number, acc: number, interval: number): number {
  if (speed <= v.speed) return 0;
  const steps = Math.floor((speed - v.speed) / acc / interval);
  const stageSpeed = v.speed + (steps * acc) / interval;
  const stageDistance = ((v.speed + stageSpeed) * (steps * interval)) / 2;
  return stageDistance + (stageSpeed < speed ? ((stageSpeed + speed) * interval) / 2 : 0);
}

function reachSteps(v: Vehicle, distance: number, target: number, acc: number, interval: number): number {
  if (distance <= 0) return 0;
  if (v.speed > target) return Math.ceil(distance / v.speed);
  const untilTarget = distanceUntilSpeed(v, target, acc, interval);
  if (untilTarget > distance) {
    return Math.ceil((Math.sqrt(v.speed * v.speed + 2 * acc * distance) - v.speed) / acc / interval);
  }
  return (
    Math.ceil((target - v.speed) / acc / interval) + Math.ceil((distance - untilTarget) / target / interval)
  );
}

export function reachStepsOnLink(v: Vehicle, distance: number, link: LaneLink, interval: number): number {
  return reachSteps(v, distance, link.roadLink.turn ? v.turnSpeed : v.maxSpeed, v.usualPosAcc, interval);
}
