/**
 * Runtime road network built from a validated roadnet: lanes and lane links
 * (both "drivables" that hold vehicles, front first), road links with their
 * signal state, and crossing points between lane links of an intersection.
 */
import { firstCrossing, laneLinkCurve, lanePolylines, polylineLength, segmentLengths } from './geometry.ts';
import type { Point, RoadLinkType, RoadnetSpec } from './scenario.ts';
import type { Vehicle } from './vehicle.ts';

export const laneKind = 0;
export const linkKind = 1;

export interface Drivable {
  readonly kind: typeof laneKind | typeof linkKind;
  readonly index: number;
  readonly lengthMetres: number;
  readonly maxSpeed: number;
  /** Vehicles on this drivable, the one furthest along first. */
  vehicles: Vehicle[];
}

export class Lane implements Drivable {
  readonly kind = laneKind;
  vehicles: Vehicle[] = [];
  /** Vehicles generated for this lane that could not enter yet (FIFO). */
  waiting: Vehicle[] = [];
  waitingHead = 0;
  /** Set while the engine re-searches this lane's leaders after a lane change. */
  leadersStale = false;
  readonly laneLinks: LaneLink[] = [];
  /** Lane links that end on this lane. */
  readonly incomingLinks: LaneLink[] = [];
  constructor(
    readonly index: number,
    readonly id: string,
    readonly road: Road,
    readonly laneIndex: number,
    readonly lengthMetres: number,
    readonly maxSpeed: number,
    readonly widthMetres: number,
    readonly points: Point[],
  ) {}

  lastVehicle(): Vehicle | undefined {
    return this.vehicles[this.vehicles.length - 1];
  }
}

export class LaneLink implements Drivable {
  readonly kind = linkKind;
  readonly maxSpeed = 10000;
  readonly widthMetres = 4;
  vehicles: Vehicle[] = [];
  /** Crossings on this link, nearest first, with the distance of each along this link. */
  crosses: Cross[] = [];
  crossDistances: number[] = [];
  /** For each crossing in `crosses`, which side of it (0 or 1) this link is. */
  crossSides: Uint8Array = new Uint8Array(0);
  constructor(
    readonly index: number,
    readonly roadLink: RoadLink,
    readonly startLane: Lane,
    readonly endLane: Lane,
    readonly lengthMetres: number,
  ) {}
}

export class RoadLink {
  readonly laneLinks: LaneLink[] = [];
  readonly turn: boolean;
  /** CityFlow orders link types: right 1 < left 2 < straight 3 (higher goes first). */
  readonly rank: number;
  constructor(
    readonly intersection: Intersection,
    readonly index: number,
    readonly type: RoadLinkType,
    readonly startRoad: Road,
    readonly endRoad: Road,
  ) {
    this.turn = type !== 'go_straight';
    this.rank = type === 'turn_right' ? 1 : type === 'turn_left' ? 2 : 3;
  }
  available(): boolean {
    return this.intersection.available[this.index] === 1;
  }
}

/** A crossing point of two lane links, with the vehicle notified on each side per step. */
export class Cross {
  // Per side (0: links[0], 1: links[1]): the vehicle notified, its distance to the crossing and the
  // step of the notification (a side notified at another step is empty). Plain fields, not small
  // arrays: every step writes them for most crossings in use.
  vehicle0: Vehicle | null = null;
  vehicle1: Vehicle | null = null;
  notifyDistance0 = 0;
  notifyDistance1 = 0;
  stamp0 = -1;
  stamp1 = -1;
  constructor(
    readonly links: readonly [LaneLink, LaneLink],
    readonly distances: readonly [number, number],
  ) {}
  side(link: LaneLink): 0 | 1 {
    return this.links[0] === link ? 0 : 1;
  }
}

export class Road {
  readonly lanes: Lane[] = [];
  constructor(
    readonly index: number,
    readonly id: string,
    readonly start: Intersection,
    readonly end: Intersection,
  ) {}
}

export class Intersection {
  readonly roadLinks: RoadLink[] = [];
  readonly crosses: Cross[] = [];
  readonly laneLinks: LaneLink[] = [];
  /** Per road link: 1 when green in the current light phase. */
  available: Uint8Array = new Uint8Array(0);
  lightPhase = 0;
  constructor(
    readonly index: number,
    readonly id: string,
    readonly virtual: boolean,
    readonly widthMetres: number,
    readonly phaseLinks: readonly (readonly number[])[],
  ) {}
  setLightPhase(phase: number): void {
    this.lightPhase = phase;
    this.available.fill(0);
    for (const link of this.phaseLinks[phase] ?? []) this.available[link] = 1;
  }
}

export interface Network {
  readonly roads: Road[];
  readonly roadById: Map<string, Road>;
  readonly lanes: Lane[];
  readonly laneLinks: LaneLink[];
  readonly intersections: Intersection[];
  /** Lanes first, then lane links (CityFlow's update order). */
  readonly drivables: Drivable[];
}

export function buildNetwork(spec: RoadnetSpec): Network {
  const intersections = spec.intersections.map(
    (s, i) =>
      new Intersection(
        i,
        s.id,
        s.virtual,
        s.widthMetres,
        s.lightPhases.map((p) => p.availableRoadLinks),
      ),
  );
  const byId = new Map(intersections.map((i) => [i.id, i]));
  const roads: Road[] = [];
  const lanes: Lane[] = [];
  for (const s of spec.roads) {
    const start = byId.get(s.startIntersection)!;
    const end = byId.get(s.endIntersection)!;
    const road = new Road(roads.length, s.id, start, end);
    const polylines = lanePolylines(
      s.points,
      s.lanes.map((l) => l.widthMetres),
      start.virtual ? 0 : start.widthMetres,
      end.virtual ? 0 : end.widthMetres,
    );
    s.lanes.forEach((l, k) => {
      const points = polylines[k]!;
      const lane = new Lane(
        lanes.length,
        `${s.id}_${k}`,
        road,
        k,
        polylineLength(points),
        l.maxSpeedMetresPerSecond,
        l.widthMetres,
        points,
      );
      road.lanes.push(lane);
      lanes.push(lane);
    });
    roads.push(road);
  }
  const roadById = new Map(roads.map((r) => [r.id, r]));
  const laneLinks: LaneLink[] = [];
  spec.intersections.forEach((s, i) => {
    const intersection = intersections[i]!;
    intersection.available = new Uint8Array(s.roadLinks.length);
    const curves: Point[][] = [];
    s.roadLinks.forEach((rl, k) => {
      const roadLink = new RoadLink(
        intersection,
        k,
        rl.type,
        roadById.get(rl.startRoad)!,
        roadById.get(rl.endRoad)!,
      );
      for (const ll of rl.laneLinks) {
        const startLane = roadLink.startRoad.lanes[ll.startLaneIndex]!;
        const endLane = roadLink.endRoad.lanes[ll.endLaneIndex]!;
        const curve =
          ll.points.length >= 2
            ? ll.points.slice()
            : laneLinkCurve(
                startLane.points,
                endLane.points,
                intersection.widthMetres,
                intersection.widthMetres,
              );
        const link = new LaneLink(laneLinks.length, roadLink, startLane, endLane, polylineLength(curve));
        roadLink.laneLinks.push(link);
        startLane.laneLinks.push(link);
        endLane.incomingLinks.push(link);
        intersection.laneLinks.push(link);
        laneLinks.push(link);
        curves.push(curve);
      }
      intersection.roadLinks.push(roadLink);
    });
    buildCrosses(intersection, curves);
    if (!intersection.virtual) intersection.setLightPhase(0);
  });
  return { roads, roadById, lanes, laneLinks, intersections, drivables: [...lanes, ...laneLinks] };
}

function buildCrosses(intersection: Intersection, curves: Point[][]): void {
  const links = intersection.laneLinks;
  const lengths = curves.map(segmentLengths);
  for (let i = 0; i < links.length; i++) {
    for (let j = i + 1; j < links.length; j++) {
      const found = firstCrossing(curves[i]!, curves[j]!, lengths[i], lengths[j]);
      if (found !== null) {
        intersection.crosses.push(new Cross([links[i]!, links[j]!], [found.alongA, found.alongB]));
      }
    }
  }
  for (const cross of intersection.crosses) {
    for (const side of [0, 1] as const) cross.links[side].crosses.push(cross);
  }
  for (const link of links) {
    link.crosses.sort((a, b) => a.distances[a.side(link)] - b.distances[b.side(link)]);
    link.crossDistances = link.crosses.map((c) => c.distances[c.side(link)]);
    link.crossSides = Uint8Array.from(link.crosses, (c) => c.side(link));
  }
}
