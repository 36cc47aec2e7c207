/**
 * The simulation engine: a TypeScript re-implementation of CityFlow's
 * microscopic model in 1 s steps (flows -> waiting buffers -> crossing
 * notification -> synchronous speed update -> move -> leader search).
 * Deterministic for a seed. Signals are set by the caller (`setLightPhase`).
 */
import { intersectionSpeed, notifyCrosses } from './crossing.ts';
import { buildNetwork, type Drivable, type Lane, type Network, laneKind, linkKind } from './network.ts';
import { seededRandom } from '../random.ts';
import { changeLanes } from './lane-change.ts';
import { firstLanes, planPath } from './route.ts';
import type { FlowSpec, RoadnetSpec, VehicleSpec } from './scenario.ts';
import { carFollowSpeed, notOnLink, Vehicle } from './vehicle.ts';

export interface EngineOptions {
  readonly seed: number;
  readonly intervalSeconds?: number;
  /** Lane changing (default on, as in the reference runs). */
  readonly laneChange?: boolean;
}

interface FlowState {
  readonly spec: FlowSpec;
  readonly route: Network['roads'];
  readonly firstLanes: Lane[];
  nowSeconds: number;
}

export class Engine {
  readonly network: Network;
  readonly intervalSeconds: number;
  readonly laneChange: boolean;
  step = 0;
  /** Every vehicle generated so far (finished or not), in creation order. */
  readonly vehicles: Vehicle[] = [];
  running: Vehicle[] = [];
  finishedCount = 0;
  finishedSeconds = 0;
  waitingCount = 0;
  /** Sum over steps of vehicles with speed < 0.1 m/s on lanes entering signalised intersections. */
  queueVehicleSteps = 0;
  /** Sum over steps of vehicles generated but still waiting to enter their first lane. */
  bufferedVehicleSeconds = 0;
  private readonly random: () => number;
  private readonly pending: FlowState[];
  private active: FlowState[] = [];
  private readonly enteringLanes: Lane[];

  constructor(roadnet: RoadnetSpec, flows: readonly FlowSpec[], options: EngineOptions) {
    this.network = buildNetwork(roadnet);
    this.intervalSeconds = options.intervalSeconds ?? 1;
    this.laneChange = options.laneChange ?? true;
    this.random = seededRandom(options.seed);
    this.pending = flows
      .map((spec) => {
        const route = spec.route.map((id) => this.network.roadById.get(id)!);
        return { spec, route, firstLanes: firstLanes(route), nowSeconds: spec.intervalSeconds };
      })
      .sort((a, b) => b.spec.startTimeSeconds - a.spec.startTimeSeconds);
    this.enteringLanes = this.network.lanes.filter((l) => !l.road.end.virtual && l.laneLinks.length > 0);
  }

  get timeSeconds(): number {
    return this.step * this.intervalSeconds;
  }

  /** Adds one vehicle now (e.g. an emergency vehicle); it queues on its first lane like any other. */
  addVehicle(spec: VehicleSpec, routeIds: readonly string[], tag: string): Vehicle {
    const route = routeIds.map((id) => {
      const road = this.network.roadById.get(id);
      if (road === undefined) throw new Error(`road '${id}' does not exist`);
      return road;
    });
    return this.spawn(spec, route, firstLanes(route), tag);
  }

  private spawn(spec: VehicleSpec, route: Network['roads'], lanes: Lane[], tag = ''): Vehicle {
    const first = lanes.length === 1 ? lanes[0]! : lanes[Math.floor(this.random() * lanes.length)]!;
    const priority = Math.floor(this.random() * 2147483647);
    const vehicle = new Vehicle(
      this.vehicles.length,
      spec,
      planPath(first, route),
      this.timeSeconds,
      priority,
      this.intervalSeconds,
      tag,
    );
    this.vehicles.push(vehicle);
    first.waiting.push(vehicle);
    this.waitingCount++;
    return vehicle;
  }

  private generate(): void {
    const now = this.timeSeconds;
    while (this.pending.length > 0 && this.pending[this.pending.length - 1]!.spec.startTimeSeconds <= now) {
      this.active.push(this.pending.pop()!);
    }
    if (this.active.length === 0) return;
    let keep = 0;
    for (const flow of this.active) {
      const { spec } = flow;
      if (spec.endTimeSeconds !== -1 && now > spec.endTimeSeconds) continue;
      while (flow.nowSeconds >= spec.intervalSeconds) {
        this.spawn(spec.vehicle, flow.route, flow.firstLanes);
        flow.nowSeconds -= spec.intervalSeconds;
      }
      flow.nowSeconds += this.intervalSeconds;
      this.active[keep++] = flow;
    }
    this.active.length = keep;
  }

  private admitWaiting(): void {
    for (const lane of this.network.lanes) {
      if (lane.waitingHead >= lane.waiting.length) continue;
      const vehicle = lane.waiting[lane.waitingHead]!;
      const tail = lane.lastVehicle();
      if (tail !== undefined && !(tail.dis > tail.lengthMetres + vehicle.minGapMetres)) continue;
      lane.waiting[lane.waitingHead++] = undefined as unknown as Vehicle;
      if (lane.waitingHead > 64 && lane.waitingHead * 2 > lane.waiting.length) {
        lane.waiting = lane.waiting.slice(lane.waitingHead);
        lane.waitingHead = 0;
      }
      this.waitingCount--;
      vehicle.running = true;
      lane.vehicles.push(vehicle);
      this.running.push(vehicle);
      updateLeader(vehicle, tail ?? null);
    }
  }

  private decide(vehicle: Vehicle): void {
    const interval = this.intervalSeconds;
    const current = vehicle.drivable;
    let speed = vehicle.maxSpeed;
    const accelerated = vehicle.speed + vehicle.maxPosAcc * interval;
    if (accelerated < speed) speed = accelerated;
    if (current.maxSpeed < speed) speed = current.maxSpeed;
    const follow = carFollowSpeed(vehicle, interval);
    if (follow < speed) speed = follow;
    vehicle.nextBlocker = null;
    if (current.kind === linkKind || this.approaching(vehicle)) {
      const limit = intersectionSpeed(vehicle, interval, this.step);
      if (limit < speed) speed = limit;
    }
    const slowest = vehicle.speed - vehicle.maxNegAcc * interval;
    if (slowest > speed) speed = slowest;
    let delta: number;
    if (speed < 0) {
      delta = (0.5 * vehicle.speed * vehicle.speed) / vehicle.maxNegAcc;
      speed = 0;
    } else delta = ((vehicle.speed + speed) * interval) / 2;
    vehicle.nextSpeed = speed;
    let dis = vehicle.dis + delta;
    let index = vehicle.pathIndex;
    let end = false;
    const path = vehicle.path;
    while (dis > path[index]!.lengthMetres) {
      dis -= path[index]!.lengthMetres;
      index++;
      if (index >= path.length) {
        end = true;
        break;
      }
    }
    vehicle.nextDis = dis;
    vehicle.nextPathIndex = index;
    vehicle.nextEnd = end;
  }

  private approaching(vehicle: Vehicle): boolean {
    const next = vehicle.nextDrivable();
    return (
      next !== undefined &&
      next.kind === linkKind &&
      vehicle.drivable.lengthMetres - vehicle.dis <= vehicle.approachMetres
    );
  }

  private move(): void {
    const now = this.timeSeconds;
    let anyEnded = false;
    for (const drivable of this.network.drivables) {
      const list = drivable.vehicles;
      if (list.length === 0) continue;
      let keep = 0;
      for (let i = 0; i < list.length; i++) {
        const v = list[i]!;
        if (v.nextEnd) {
          v.finished = true;
          v.exitSeconds = now;
          this.finishedCount++;
          this.finishedSeconds += now - v.enterSeconds;
          anyEnded = true;
        } else if (v.nextPathIndex === v.pathIndex) list[keep++] = v;
      }
      list.length = keep;
    }
    const moved: Vehicle[] = [];
    for (const v of this.running) if (!v.nextEnd && v.nextPathIndex !== v.pathIndex) moved.push(v);
    moved.sort((a, b) => b.nextDis - a.nextDis);
    for (const v of moved) {
      const target = v.path[v.nextPathIndex]!;
      target.vehicles.push(v);
      v.enterLinkStep = target.kind === linkKind ? this.step : notOnLink;
    }
    let keep = 0;
    for (const v of this.running) {
      if (v.nextEnd) continue;
      if (anyEnded && v.nextBlocker !== null && v.nextBlocker.finished) v.nextBlocker = null;
      v.dis = v.nextDis;
      v.speed = v.nextSpeed;
      if (v.nextPathIndex !== v.pathIndex) {
        v.previous = v.drivable;
        v.pathIndex = v.nextPathIndex;
        v.drivable = v.path[v.pathIndex]!;
      }
      v.blocker = v.nextBlocker;
      this.running[keep++] = v;
    }
    this.running.length = keep;
  }

  private updateLeaders(): void {
    for (const drivable of this.network.drivables) {
      let leader: Vehicle | null = null;
      for (const v of drivable.vehicles) {
        updateLeader(v, leader);
        leader = v;
      }
    }
  }

  private measure(): void {
    let queue = 0;
    for (const lane of this.enteringLanes) {
      for (const v of lane.vehicles) {
        v.enteringSeconds += this.intervalSeconds;
        v.enteredSignalLane = true;
        if (v.speed < 0.1) queue++;
      }
    }
    this.queueVehicleSteps += queue;
    this.bufferedVehicleSeconds += this.waitingCount * this.intervalSeconds;
    for (const v of this.running) v.delaySeconds += this.intervalSeconds * (1 - v.speed / v.maxSpeed);
  }

  /** Advances the simulation by one interval. */
  nextStep(): void {
    this.generate();
    this.admitWaiting();
    if (this.laneChange && changeLanes(this.running, this.timeSeconds, this.intervalSeconds))
      this.updateLeaders();
    notifyCrosses(this.network.intersections, this.step);
    for (const v of this.running) this.decide(v);
    this.move();
    this.updateLeaders();
    this.step++;
    this.measure();
  }

  /** Sets the light phase (index into the roadnet's lightphases) of an intersection. */
  setLightPhase(intersectionIndex: number, phase: number): void {
    this.network.intersections[intersectionIndex]!.setLightPhase(phase);
  }
}

/** Finds the vehicle ahead (on this drivable or further along the path) and the gap to its tail. */
export function updateLeader(v: Vehicle, leader: Vehicle | null): void {
  if (leader !== null && leader.drivable === v.drivable) {
    v.leader = leader;
    v.gap = leader.dis - leader.lengthMetres - v.dis;
    return;
  }
  v.leader = null;
  let dis = v.drivable.lengthMetres - v.dis;
  const path = v.path;
  for (let i = v.pathIndex + 1; i < path.length; i++) {
    const drivable: Drivable = path[i]!;
    if (drivable.kind === laneKind) {
      const last = drivable.vehicles[drivable.vehicles.length - 1];
      if (last !== undefined) {
        v.leader = last;
        v.gap = dis + last.dis - last.lengthMetres;
        return;
      }
    } else {
      // Lane links of one lane may overlap: take the closest tail among them.
      for (const link of (path[i - 1] as Lane).laneLinks) {
        const last = link.vehicles[link.vehicles.length - 1];
        if (last === undefined) continue;
        const gap = dis + last.dis - last.lengthMetres;
        if (v.leader === null || gap < v.gap) {
          v.leader = last;
          v.gap = gap;
        }
      }
      if (v.leader !== null) return;
    }
    dis += drivable.lengthMetres;
    if (dis > v.approachMetres) return;
  }
}
