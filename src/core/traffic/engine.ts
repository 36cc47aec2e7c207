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
  /** Vehicles entering another drivable this step, filled by `decide` (reused buffer). */
  private readonly moved: Vehicle[] = [];
  /** Longest leader search of any vehicle so far (`Vehicle.approachMetres`). */
  private reachMetres = 0;
  /** Lanes that took a vehicle from their waiting buffer this step (reused buffer). */
  private readonly admittedLanes: Lane[] = [];
  /** Lanes touched by this step's lane changes (reused buffer). */
  private readonly changedLanes: Lane[] = [];

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
    if (vehicle.approachMetres > this.reachMetres) this.reachMetres = vehicle.approachMetres;
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
      this.admittedLanes.push(lane);
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
    if (!end && index !== vehicle.pathIndex) this.moved.push(vehicle);
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
      if (keep !== list.length) list.length = keep;
    }
    // Vehicles entering another drivable, collected by `decide` in running order.
    const moved = this.moved;
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
      // The delay measure (see `measure`), accumulated here to spare another pass over the vehicles.
      v.delaySeconds += this.intervalSeconds * (1 - v.speed / v.maxSpeed);
      this.running[keep++] = v;
    }
    if (keep !== this.running.length) this.running.length = keep;
  }

  private updateLeaders(): void {
    for (const drivable of this.network.drivables) leadersOn(drivable.vehicles);
  }

  /**
   * The leaders `updateLeaders` would find after lane changes, with less work. Leaders were all
   * found after the last move; since then only lane changes (`changedLanes`, order changed) and
   * admissions (`admittedLanes`, a new tail) altered any drivable. So every vehicle of a changed
   * lane is searched again, and so is the first vehicle of every drivable from which a search
   * (`updateLeader`: the next drivable always, further ones within `approachMetres`) can reach an
   * altered lane; every other vehicle keeps its leader and gap (positions have not changed).
   */
  private updateLeadersAfterLaneChanges(changedLanes: readonly Lane[]): void {
    for (const lane of changedLanes) {
      if (lane.leadersStale) continue;
      lane.leadersStale = true;
      leadersOn(lane.vehicles);
    }
    for (const lane of changedLanes) {
      if (!lane.leadersStale) continue;
      lane.leadersStale = false;
      this.searchUpstream(lane, 0);
    }
    for (const lane of this.admittedLanes) this.searchUpstream(lane, 0);
  }

  /** Searches again the leader of the first vehicle on each drivable whose search can reach `lane`. */
  private searchUpstream(lane: Lane, betweenMetres: number): void {
    for (const link of lane.incomingLinks) {
      const first = link.vehicles[0];
      if (first !== undefined) updateLeader(first, null);
      const between = betweenMetres + link.lengthMetres;
      if (between > this.reachMetres) continue;
      const start = link.startLane;
      const head = start.vehicles[0];
      if (head !== undefined) updateLeader(head, null);
      // Lengths are positive in any real roadnet; the guard keeps a degenerate loop finite.
      if (between + start.lengthMetres <= this.reachMetres && between + start.lengthMetres > betweenMetres)
        this.searchUpstream(start, between + start.lengthMetres);
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
    // Each running vehicle's delaySeconds grew by interval * (1 - speed / maxSpeed) in `move`.
  }

  /** Advances the simulation by one interval. */
  nextStep(): void {
    this.admittedLanes.length = 0;
    this.generate();
    this.admitWaiting();
    if (this.laneChange) {
      const changed = this.changedLanes;
      changed.length = 0;
      if (changeLanes(this.running, this.timeSeconds, this.intervalSeconds, changed))
        this.updateLeadersAfterLaneChanges(changed);
    }
    notifyCrosses(this.network.intersections, this.step);
    this.moved.length = 0;
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

/** Leaders of the vehicles on one drivable (front first): the one ahead, or a search for the first. */
function leadersOn(vehicles: readonly Vehicle[]): void {
  const first = vehicles[0];
  if (first === undefined) return;
  updateLeader(first, null);
  for (let i = 1; i < vehicles.length; i++) {
    const v = vehicles[i]!;
    const leader = vehicles[i - 1]!;
    v.leader = leader;
    v.gap = leader.dis - leader.lengthMetres - v.dis;
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
