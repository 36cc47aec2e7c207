/**
 * A synthetic signalised district in CityFlow's format, so the live path and
 * the demo need no third-party scenario: rows x columns of 4-way
 * intersections (3 lanes per road: left, straight, right), virtual boundary
 * intersections around it, light phases laid out like the benchmark networks
 * (0 = yellow with right turns only, 1-4 = the field's 4 greens, 5-8 = one
 * approach's straight + left), and a day of demand with morning and evening
 * peaks. Deterministic for a seed. Coordinates: metres around (0, 0), mapped
 * to degrees around `centre` by `toLatLon`.
 */
import { seededRandom } from '../random.ts';

export interface LatLon {
  readonly lat: number;
  readonly lon: number;
}

export interface GridDistrictOptions {
  readonly rows: number;
  readonly columns: number;
  readonly centre: LatLon;
  readonly spacingMetres?: number;
  /** Vehicles per hour entering on each boundary road at the busiest hour. */
  readonly peakVehiclesPerHourPerEntry?: number;
  /** Share of vehicles that turn once inside the district (the rest go straight through). */
  readonly turnShare?: number;
  /** Time of day (seconds after midnight) at simulation time 0. */
  readonly startSecondsOfDay?: number;
  readonly durationSeconds?: number;
  /** Demand is constant within a slice of this length. */
  readonly sliceSeconds?: number;
  readonly seed?: number;
}

/** A controlled intersection of the district and where it is. */
export interface GridPlace {
  readonly id: string;
  /** 0 = northmost row. */
  readonly row: number;
  readonly column: number;
  readonly lat: number;
  readonly lon: number;
}

export interface GridDistrict {
  /** CityFlow roadnet JSON (to be read with `parseRoadnet`). */
  readonly roadnet: unknown;
  /** CityFlow flow JSON (to be read with `parseFlows`). */
  readonly flow: unknown;
  readonly places: readonly GridPlace[];
  /** Vehicles the flow will generate (to within one per flow entry). */
  readonly vehicles: number;
}

const metresPerDegree = 111_320;
/** Heading d: 0 east, 1 north, 2 west, 3 south. */
const dx = [1, 0, -1, 0] as const;
const dy = [0, 1, 0, -1] as const;
const laneSpeed = 11.111;
const vehicle = {
  length: 5,
  width: 2,
  maxPosAcc: 2,
  maxNegAcc: 4.5,
  usualPosAcc: 2,
  usualNegAcc: 4.5,
  minGap: 2.5,
  maxSpeed: laneSpeed,
  headwayTime: 2,
};

/** Equirectangular projection of metres (x east, y north) around `centre`; exact enough for a district. */
export function toLatLon(point: { x: number; y: number }, centre: LatLon): LatLon {
  const lat = centre.lat + point.y / metresPerDegree;
  const lon = centre.lon + point.x / (metresPerDegree * Math.cos((centre.lat * Math.PI) / 180));
  return { lat, lon };
}

function bump(hour: number, peak: number, width: number): number {
  return Math.exp(-0.5 * ((hour - peak) / width) ** 2);
}

/** Relative demand (0..1] at a time of day: quiet nights, a midday plateau, peaks at 08:00 and 17:30. */
export function dailyDemand(secondsOfDay: number): number {
  const hour = (((secondsOfDay / 3600) % 24) + 24) % 24;
  const midday = 0.45 * bump(hour, 13, 3.5);
  const peaks = Math.max(bump(hour, 8, 1.2), 0.95 * bump(hour, 17.5, 1.4));
  return Math.min(1, 0.06 + midday + 0.94 * peaks);
}

/** The simulated time of day, and the demand then as a share of the day's busiest hour (1). */
export interface DemandTime {
  /** Seconds after midnight, 0 … 86,399. */
  readonly secondsOfDay: number;
  /** 0 … 1: `dailyDemand` as the flow takes it; 0 once the flow is over. */
  readonly demandShareOfPeak: number;
}

const defaultDurationSeconds = 86_400;
const defaultSliceSeconds = 900;

/** Middle of the slice [from, to) of the flow, as a time of day the demand is taken at. */
function sliceMiddle(startSecondsOfDay: number, from: number, to: number): number {
  return startSecondsOfDay + (from + to) / 2;
}

/**
 * Where the flow `generateGridDistrict` writes for `options` is `elapsedSeconds` after simulation
 * time 0: its time of day, and the demand of its slice (constant within it, taken at its middle).
 */
export function demandTime(
  options: Pick<GridDistrictOptions, 'startSecondsOfDay' | 'durationSeconds' | 'sliceSeconds'>,
  elapsedSeconds: number,
): DemandTime {
  const start = options.startSecondsOfDay ?? 0;
  const duration = options.durationSeconds ?? defaultDurationSeconds;
  const slice = options.sliceSeconds ?? defaultSliceSeconds;
  const secondsOfDay = ((Math.floor(start + elapsedSeconds) % 86_400) + 86_400) % 86_400;
  if (!(elapsedSeconds >= 0 && elapsedSeconds < duration)) return { secondsOfDay, demandShareOfPeak: 0 };
  const from = Math.floor(elapsedSeconds / slice) * slice;
  const middle = sliceMiddle(start, from, Math.min(duration, from + slice));
  return { secondsOfDay, demandShareOfPeak: dailyDemand(middle) };
}

/** Heavier east–west before 13:00 and north–south after (commuters in, commuters out). */
function directionFactor(heading: number, secondsOfDay: number): number {
  const morning = (secondsOfDay / 3600) % 24 < 13;
  const eastWest = heading === 0 || heading === 2;
  return eastWest === morning ? 1.25 : 0.75;
}

function nodeId(x: number, y: number): string {
  return `intersection_${x}_${y}`;
}

function roadId(x: number, y: number, heading: number): string {
  return `road_${x}_${y}_${heading}`;
}

function check(options: GridDistrictOptions): void {
  for (const name of ['rows', 'columns'] as const) {
    const n = options[name];
    if (!Number.isInteger(n) || n < 1 || n > 40)
      throw new RangeError(`${name} must be an integer 1..40, got ${n}`);
  }
  const { lat, lon } = options.centre;
  if (!(Math.abs(lat) <= 85) || !(Math.abs(lon) <= 180))
    throw new RangeError(`centre must be a WGS 84 point, got ${lat}, ${lon}`);
  const positive = [
    'spacingMetres',
    'peakVehiclesPerHourPerEntry',
    'durationSeconds',
    'sliceSeconds',
  ] as const;
  for (const name of positive) {
    const v = options[name];
    if (v !== undefined && !(Number.isFinite(v) && v > 0))
      throw new RangeError(`${name} must be > 0, got ${v}`);
  }
  const share = options.turnShare;
  if (share !== undefined && !(share >= 0 && share <= 1))
    throw new RangeError(`turnShare must be 0..1, got ${share}`);
}

/** Generates the district: roadnet, a day (or `durationSeconds`) of flows, and the places of its intersections. */
export function generateGridDistrict(options: GridDistrictOptions): GridDistrict {
  check(options);
  const { rows, columns } = options;
  const spacing = options.spacingMetres ?? 300;
  const point = (x: number, y: number) => ({
    x: (x - (columns + 1) / 2) * spacing,
    y: (y - (rows + 1) / 2) * spacing,
  });
  const inside = (x: number, y: number) => x >= 1 && x <= columns && y >= 1 && y <= rows;
  const boundary = (x: number, y: number) =>
    !inside(x, y) &&
    x >= 0 &&
    x <= columns + 1 &&
    y >= 0 &&
    y <= rows + 1 &&
    (x >= 1 && x <= columns) !== (y >= 1 && y <= rows);

  const roads: unknown[] = [];
  const intersections: unknown[] = [];
  const places: GridPlace[] = [];
  const addRoad = (x: number, y: number, heading: number): void => {
    const tx = x + dx[heading]!;
    const ty = y + dy[heading]!;
    roads.push({
      id: roadId(x, y, heading),
      points: [point(x, y), point(tx, ty)],
      lanes: [0, 1, 2].map(() => ({ width: 4, maxSpeed: laneSpeed })),
      startIntersection: nodeId(x, y),
      endIntersection: nodeId(tx, ty),
    });
  };
  for (let y = 0; y <= rows + 1; y++) {
    for (let x = 0; x <= columns + 1; x++) {
      if (inside(x, y)) {
        for (let heading = 0; heading < 4; heading++) addRoad(x, y, heading);
        intersections.push(signalised(x, y, point(x, y)));
        const where = toLatLon(point(x, y), options.centre);
        places.push({ id: nodeId(x, y), row: rows - y, column: x - 1, ...where });
      } else if (boundary(x, y)) {
        const heading = x === 0 ? 0 : x === columns + 1 ? 2 : y === 0 ? 1 : 3;
        addRoad(x, y, heading);
        const inner = roadId(x + dx[heading]!, y + dy[heading]!, (heading + 2) % 4);
        intersections.push({
          id: nodeId(x, y),
          point: point(x, y),
          width: 0,
          roads: [roadId(x, y, heading), inner],
          roadLinks: [],
          trafficLight: { lightphases: [] },
          virtual: true,
        });
      }
    }
  }
  places.sort((a, b) => a.row - b.row || a.column - b.column);
  const { flow, vehicles } = generateFlow(options, inside, boundary);
  return { roadnet: { intersections, roads }, flow, places, vehicles };
}

/** Road links: per incoming heading d (arriving from the neighbour behind), left, straight, right. */
function signalised(x: number, y: number, at: { x: number; y: number }): unknown {
  const roadLinks: unknown[] = [];
  const incoming: string[] = [];
  for (let heading = 0; heading < 4; heading++) {
    const from = roadId(x - dx[heading]!, y - dy[heading]!, heading);
    incoming.push(from);
    const turns: [string, number, number][] = [
      ['turn_left', (heading + 1) % 4, 0],
      ['go_straight', heading, 1],
      ['turn_right', (heading + 3) % 4, 2],
    ];
    for (const [type, out, lane] of turns) {
      roadLinks.push({
        type,
        startRoad: from,
        endRoad: roadId(x, y, out),
        direction: heading,
        laneLinks: [0, 1, 2].map((end) => ({ startLaneIndex: lane, endLaneIndex: end, points: [] })),
      });
    }
  }
  // Link index = 3 * heading + (0 left, 1 straight, 2 right).
  const rights = [2, 5, 8, 11];
  const greens = [
    [1, 7], // east–west straight
    [4, 10], // north–south straight
    [0, 6], // east–west left
    [3, 9], // north–south left
    [0, 1], // from the west: straight and left
    [6, 7], // from the east
    [3, 4], // from the south
    [9, 10], // from the north
  ];
  const lightphases = [
    { time: 5, availableRoadLinks: rights },
    ...greens.map((links) => ({ time: 30, availableRoadLinks: [...links, ...rights] })),
  ];
  const outgoing = [0, 1, 2, 3].map((heading) => roadId(x, y, heading));
  return {
    id: nodeId(x, y),
    point: at,
    width: 15,
    roads: [...incoming, ...outgoing],
    roadLinks,
    trafficLight: { lightphases },
    virtual: false,
  };
}

interface Route {
  readonly roads: string[];
  readonly heading: number;
  readonly share: number;
}

/** Routes from every boundary road: straight through, or one left or right turn at any intersection on the way. */
function routes(
  options: GridDistrictOptions,
  inside: (x: number, y: number) => boolean,
  boundary: (x: number, y: number) => boolean,
): Route[] {
  const turnShare = options.turnShare ?? 0.3;
  const drive = (x: number, y: number, heading: number, turnAt: number, turn: number): string[] => {
    const path = [roadId(x, y, heading)];
    let step = 0;
    for (x += dx[heading]!, y += dy[heading]!; inside(x, y); x += dx[heading]!, y += dy[heading]!, step++) {
      if (step === turnAt) heading = (heading + turn) % 4;
      path.push(roadId(x, y, heading));
    }
    return path;
  };
  const result: Route[] = [];
  for (let y = 0; y <= options.rows + 1; y++) {
    for (let x = 0; x <= options.columns + 1; x++) {
      if (!boundary(x, y)) continue;
      const heading = x === 0 ? 0 : x === options.columns + 1 ? 2 : y === 0 ? 1 : 3;
      const straight = drive(x, y, heading, -1, 0);
      const crossings = straight.length - 1;
      result.push({ roads: straight, heading, share: 1 - turnShare });
      for (let at = 0; at < crossings; at++) {
        for (const turn of [1, 3]) {
          result.push({ roads: drive(x, y, heading, at, turn), heading, share: turnShare / (2 * crossings) });
        }
      }
    }
  }
  return result;
}

function generateFlow(
  options: GridDistrictOptions,
  inside: (x: number, y: number) => boolean,
  boundary: (x: number, y: number) => boolean,
): { flow: unknown[]; vehicles: number } {
  const random = seededRandom(options.seed ?? 0);
  const peak = options.peakVehiclesPerHourPerEntry ?? 300;
  const start = options.startSecondsOfDay ?? 0;
  const duration = options.durationSeconds ?? defaultDurationSeconds;
  const slice = options.sliceSeconds ?? defaultSliceSeconds;
  const all = routes(options, inside, boundary);
  const flow: unknown[] = [];
  let vehicles = 0;
  for (let from = 0; from < duration; from += slice) {
    const to = Math.min(duration, from + slice);
    const middle = sliceMiddle(start, from, to);
    for (const route of all) {
      const perHour = peak * dailyDemand(middle) * directionFactor(route.heading, middle) * route.share;
      const expected = (perHour * (to - from)) / 3600;
      const draw = random();
      if (expected < 1) {
        // Rare routes: one vehicle in this slice with probability `expected`, at a random moment.
        if (draw >= expected) continue;
        const at = from + Math.floor(random() * (to - from));
        flow.push({ vehicle, route: route.roads, interval: to - from + 1, startTime: at, endTime: at });
        vehicles += 1;
        continue;
      }
      const interval = (to - from) / expected;
      const first = from + Math.floor(draw * interval);
      flow.push({ vehicle, route: route.roads, interval, startTime: first, endTime: to - 1 });
      vehicles += Math.floor((to - 1 - first) / interval) + 1;
    }
  }
  return { flow, vehicles };
}
