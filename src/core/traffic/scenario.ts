/**
 * CityFlow scenario types (roadnet + flow JSON) and their validation.
 * Validation happens once, at the edge: `parseRoadnet`/`parseFlows` take
 * untrusted JSON and return typed values or an error that names the road,
 * lane, intersection or flow entry at fault.
 */

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface LaneSpec {
  readonly widthMetres: number;
  readonly maxSpeedMetresPerSecond: number;
}

export interface RoadSpec {
  readonly id: string;
  readonly points: readonly Point[];
  readonly lanes: readonly LaneSpec[];
  readonly startIntersection: string;
  readonly endIntersection: string;
}

export type RoadLinkType = 'turn_left' | 'turn_right' | 'go_straight';

export interface LaneLinkSpec {
  readonly startLaneIndex: number;
  readonly endLaneIndex: number;
  /** Curve points; empty means "build CityFlow's default Bezier curve". */
  readonly points: readonly Point[];
}

export interface RoadLinkSpec {
  readonly type: RoadLinkType;
  readonly startRoad: string;
  readonly endRoad: string;
  readonly laneLinks: readonly LaneLinkSpec[];
}

export interface LightPhaseSpec {
  readonly timeSeconds: number;
  readonly availableRoadLinks: readonly number[];
}

export interface IntersectionSpec {
  readonly id: string;
  readonly point: Point;
  readonly virtual: boolean;
  readonly widthMetres: number;
  readonly roads: readonly string[];
  readonly roadLinks: readonly RoadLinkSpec[];
  readonly lightPhases: readonly LightPhaseSpec[];
}

export interface RoadnetSpec {
  readonly intersections: readonly IntersectionSpec[];
  readonly roads: readonly RoadSpec[];
}

export interface VehicleSpec {
  readonly lengthMetres: number;
  readonly widthMetres: number;
  readonly maxPosAcc: number;
  readonly maxNegAcc: number;
  readonly usualPosAcc: number;
  readonly usualNegAcc: number;
  readonly minGapMetres: number;
  readonly maxSpeedMetresPerSecond: number;
  readonly headwayTimeSeconds: number;
}

export interface FlowSpec {
  readonly vehicle: VehicleSpec;
  readonly route: readonly string[];
  readonly intervalSeconds: number;
  readonly startTimeSeconds: number;
  /** -1: no end. */
  readonly endTimeSeconds: number;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

class ScenarioError extends Error {}

function fail(where: string, message: string): never {
  throw new ScenarioError(`${where}: ${message}`);
}

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function record(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(where, `expected an object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

function array(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) fail(where, `expected an array, got ${describe(value)}`);
  return value;
}

function text(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    fail(where, `expected a non-empty string, got ${describe(value)}`);
  }
  return value;
}

function finite(value: unknown, where: string, rule: 'any' | 'positive' | 'non-negative' = 'any'): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    fail(where, `expected a finite number, got ${describe(value)}`);
  }
  if (rule === 'positive' && !(value > 0)) fail(where, `must be > 0, got ${value}`);
  if (rule === 'non-negative' && !(value >= 0)) fail(where, `must be >= 0, got ${value}`);
  return value;
}

function integer(value: unknown, where: string): number {
  const n = finite(value, where);
  if (!Number.isInteger(n)) fail(where, `expected an integer, got ${n}`);
  return n;
}

function point(value: unknown, where: string): Point {
  const p = record(value, where);
  return { x: finite(p.x, `${where}.x`), y: finite(p.y, `${where}.y`) };
}

function parseRoad(value: unknown, index: number): RoadSpec {
  const raw = record(value, `roads[${index}]`);
  const id = text(raw.id, `roads[${index}].id`);
  const where = `road '${id}'`;
  const points = array(raw.points, `${where} points`).map((p, i) => point(p, `${where} points[${i}]`));
  if (points.length < 2) fail(`${where} points`, `needs at least 2 points, got ${points.length}`);
  const lanes = array(raw.lanes, `${where} lanes`).map((l, i) => {
    const lane = record(l, `${where} lane ${i}`);
    return {
      widthMetres: finite(lane.width, `${where} lane ${i} width`, 'positive'),
      maxSpeedMetresPerSecond: finite(lane.maxSpeed, `${where} lane ${i} maxSpeed`, 'positive'),
    };
  });
  if (lanes.length === 0) fail(`${where} lanes`, 'a road needs at least one lane');
  return {
    id,
    points,
    lanes,
    startIntersection: text(raw.startIntersection, `${where} startIntersection`),
    endIntersection: text(raw.endIntersection, `${where} endIntersection`),
  };
}

const linkTypes: readonly RoadLinkType[] = ['turn_left', 'turn_right', 'go_straight'];

function parseRoadLink(value: unknown, where: string): RoadLinkSpec {
  const raw = record(value, where);
  const type = raw.type;
  if (!linkTypes.includes(type as RoadLinkType)) {
    fail(`${where} type`, `expected one of ${linkTypes.join(', ')}, got ${describe(type)}`);
  }
  const laneLinks = array(raw.laneLinks, `${where} laneLinks`).map((l, i) => {
    const at = `${where} laneLinks[${i}]`;
    const link = record(l, at);
    const points = link.points === undefined ? [] : array(link.points, `${at} points`);
    return {
      startLaneIndex: integer(link.startLaneIndex, `${at} startLaneIndex`),
      endLaneIndex: integer(link.endLaneIndex, `${at} endLaneIndex`),
      points: points.map((p, k) => point(p, `${at} points[${k}]`)),
    };
  });
  return {
    type: type as RoadLinkType,
    startRoad: text(raw.startRoad, `${where} startRoad`),
    endRoad: text(raw.endRoad, `${where} endRoad`),
    laneLinks,
  };
}

function parseIntersection(value: unknown, index: number): IntersectionSpec {
  const raw = record(value, `intersections[${index}]`);
  const id = text(raw.id, `intersections[${index}].id`);
  const where = `intersection '${id}'`;
  const virtual = raw.virtual === true;
  const roads = array(raw.roads ?? [], `${where} roads`).map((r, i) => text(r, `${where} roads[${i}]`));
  const base = { id, point: point(raw.point, `${where} point`), virtual, roads };
  if (virtual) return { ...base, widthMetres: 0, roadLinks: [], lightPhases: [] };
  const roadLinks = array(raw.roadLinks, `${where} roadLinks`).map((l, i) =>
    parseRoadLink(l, `${where} roadLinks[${i}]`),
  );
  const light = record(raw.trafficLight, `${where} trafficLight`);
  const lightPhases = array(light.lightphases, `${where} trafficLight.lightphases`).map((p, i) => {
    const at = `${where} lightphases[${i}]`;
    const phase = record(p, at);
    const available = array(phase.availableRoadLinks, `${at} availableRoadLinks`).map((n, k) => {
      const linkIndex = integer(n, `${at} availableRoadLinks[${k}]`);
      if (linkIndex < 0 || linkIndex >= roadLinks.length) {
        fail(
          `${at} availableRoadLinks[${k}]`,
          `road link ${linkIndex} does not exist (${roadLinks.length} links)`,
        );
      }
      return linkIndex;
    });
    return { timeSeconds: finite(phase.time, `${at} time`, 'positive'), availableRoadLinks: available };
  });
  if (lightPhases.length === 0) fail(`${where} trafficLight.lightphases`, 'needs at least one phase');
  return {
    ...base,
    widthMetres: finite(raw.width, `${where} width`, 'non-negative'),
    roadLinks,
    lightPhases,
  };
}

function checkReferences(roadnet: RoadnetSpec): void {
  const intersections = new Set<string>();
  for (const i of roadnet.intersections) {
    if (intersections.has(i.id)) fail(`intersection '${i.id}'`, 'duplicate id');
    intersections.add(i.id);
  }
  const roads = new Map<string, RoadSpec>();
  for (const r of roadnet.roads) {
    if (roads.has(r.id)) fail(`road '${r.id}'`, 'duplicate id');
    roads.set(r.id, r);
    for (const end of [r.startIntersection, r.endIntersection]) {
      if (!intersections.has(end)) fail(`road '${r.id}'`, `intersection '${end}' does not exist`);
    }
  }
  for (const i of roadnet.intersections) {
    for (const r of i.roads) {
      if (!roads.has(r)) fail(`intersection '${i.id}' roads`, `road '${r}' does not exist`);
    }
    i.roadLinks.forEach((link, k) => {
      const where = `intersection '${i.id}' roadLinks[${k}]`;
      const start = roads.get(link.startRoad);
      const end = roads.get(link.endRoad);
      if (start === undefined) fail(where, `startRoad '${link.startRoad}' does not exist`);
      if (end === undefined) fail(where, `endRoad '${link.endRoad}' does not exist`);
      if (start.endIntersection !== i.id)
        fail(where, `startRoad '${start.id}' does not end at this intersection`);
      if (end.startIntersection !== i.id)
        fail(where, `endRoad '${end.id}' does not start at this intersection`);
      link.laneLinks.forEach((lane, n) => {
        if (lane.startLaneIndex < 0 || lane.startLaneIndex >= start.lanes.length) {
          fail(
            `${where} laneLinks[${n}]`,
            `startLaneIndex ${lane.startLaneIndex} out of range (road '${start.id}' has ${start.lanes.length} lanes)`,
          );
        }
        if (lane.endLaneIndex < 0 || lane.endLaneIndex >= end.lanes.length) {
          fail(
            `${where} laneLinks[${n}]`,
            `endLaneIndex ${lane.endLaneIndex} out of range (road '${end.id}' has ${end.lanes.length} lanes)`,
          );
        }
      });
    });
  }
}

/** Parses and validates a CityFlow roadnet document. */
export function parseRoadnet(json: unknown): Parsed<RoadnetSpec> {
  try {
    const raw = record(json, 'roadnet');
    const roadnet = {
      intersections: array(raw.intersections, 'roadnet intersections').map(parseIntersection),
      roads: array(raw.roads, 'roadnet roads').map(parseRoad),
    };
    checkReferences(roadnet);
    return { ok: true, value: roadnet };
  } catch (error) {
    if (error instanceof ScenarioError) return { ok: false, reason: error.message };
    throw error;
  }
}

function parseVehicle(value: unknown, where: string): VehicleSpec {
  const v = record(value, where);
  const positive = (key: string): number => finite(v[key], `${where}.${key}`, 'positive');
  return {
    lengthMetres: positive('length'),
    widthMetres: positive('width'),
    maxPosAcc: positive('maxPosAcc'),
    maxNegAcc: positive('maxNegAcc'),
    usualPosAcc: positive('usualPosAcc'),
    usualNegAcc: positive('usualNegAcc'),
    minGapMetres: finite(v.minGap, `${where}.minGap`, 'non-negative'),
    maxSpeedMetresPerSecond: positive('maxSpeed'),
    headwayTimeSeconds: finite(v.headwayTime, `${where}.headwayTime`, 'non-negative'),
  };
}

/** The first fault of a route: the index of the road at fault and the rule it breaks. */
export interface RouteFault {
  readonly index: number;
  readonly reason: string;
}

/**
 * Checks routes against a roadnet: every road exists and each is connected to
 * the next by a road link with lane links. Returns the first fault, if any.
 */
export function routeChecker(roadnet: RoadnetSpec): (route: readonly string[]) => RouteFault | undefined {
  const roads = new Set(roadnet.roads.map((r) => r.id));
  const links = new Set<string>();
  for (const i of roadnet.intersections) {
    for (const l of i.roadLinks) if (l.laneLinks.length > 0) links.add(`${l.startRoad}\u0000${l.endRoad}`);
  }
  return (route) => {
    for (const [index, id] of route.entries()) {
      if (!roads.has(id)) return { index, reason: `road '${id}' does not exist` };
      const previous = route[index - 1];
      if (previous !== undefined && !links.has(`${previous}\u0000${id}`)) {
        return { index, reason: `no road link from '${previous}' to '${id}'` };
      }
    }
    return undefined;
  };
}

/**
 * Shortest gap between a flow's vehicles, in seconds. A lane discharges about one vehicle every
 * 2 s, so 10 vehicles a second from one flow is already far beyond any road; a smaller interval
 * can only be a slip (a unit, an exponent), and the engine would create 1 / interval vehicles
 * each 1 s step (1e-7: ten million a step, out of memory before the first step ends).
 */
export const minimumFlowIntervalSeconds = 0.1;

function flowInterval(value: unknown, where: string): number {
  const interval = finite(value, where, 'positive');
  if (interval < minimumFlowIntervalSeconds) {
    fail(
      where,
      `must be >= ${minimumFlowIntervalSeconds} s (at most 10 vehicles a second per flow), got ${interval}`,
    );
  }
  return interval;
}

/**
 * Parses and validates a CityFlow flow document against a roadnet: every
 * route must name existing roads, each connected to the next by a road link.
 */
export function parseFlows(json: unknown, roadnet: RoadnetSpec): Parsed<FlowSpec[]> {
  try {
    const checkRoute = routeChecker(roadnet);
    const flows = array(json, 'flow file').map((value, index) => {
      const where = `flow[${index}]`;
      const raw = record(value, where);
      const route = array(raw.route, `${where} route`).map((r, k) => text(r, `${where} route[${k}]`));
      if (route.length === 0) fail(`${where} route`, 'must name at least one road');
      const fault = checkRoute(route);
      if (fault !== undefined) fail(`${where} route[${fault.index}]`, fault.reason);
      const startTimeSeconds = raw.startTime === undefined ? 0 : integer(raw.startTime, `${where} startTime`);
      if (startTimeSeconds < 0) fail(`${where} startTime`, `must be >= 0, got ${startTimeSeconds}`);
      const endTimeSeconds = raw.endTime === undefined ? -1 : integer(raw.endTime, `${where} endTime`);
      if (endTimeSeconds !== -1 && endTimeSeconds < startTimeSeconds) {
        fail(`${where} endTime`, `must be -1 or >= startTime ${startTimeSeconds}, got ${endTimeSeconds}`);
      }
      return {
        vehicle: parseVehicle(raw.vehicle, `${where} vehicle`),
        route,
        intervalSeconds: flowInterval(raw.interval, `${where} interval`),
        startTimeSeconds,
        endTimeSeconds,
      };
    });
    return { ok: true, value: flows };
  } catch (error) {
    if (error instanceof ScenarioError) return { ok: false, reason: error.message };
    throw error;
  }
}
