/**
 * Lane detectors of the simulated district as the registry sees them: per
 * approach (incoming road) or per lane of each controlled intersection, a
 * queue sensor (`lane-queue`, vehicles standing, < 0.1 m/s) and a flow
 * sensor (`lane-flow`, vehicles over the stop line, per hour). Flows are
 * counted every step (a vehicle leaves a lane only from its head), queues are
 * read when sampled.
 */
import type { Asset, Sensor } from '../../core/registry/asset.ts';
import type { Engine } from '../../core/traffic/engine.ts';
import { type LatLon, toLatLon } from '../../core/traffic/grid-roadnet.ts';
import { laneKind, type Lane } from '../../core/traffic/network.ts';
import type { RoadnetSpec } from '../../core/traffic/scenario.ts';
import type { Vehicle } from '../../core/traffic/vehicle.ts';

export type DetectorGrouping = 'approach' | 'lane';

export interface Detector {
  readonly intersectionId: string;
  readonly assetId: string;
  /** Sensor ids of the queue and flow readings. */
  readonly queueSensor: string;
  readonly flowSensor: string;
  /** Lanes of the current engine (rebound when a new day starts on a fresh engine). */
  lanes: readonly Lane[];
  readonly lat: number;
  readonly lon: number;
  readonly road: string;
}

export interface DistrictPlace {
  readonly id: string;
  readonly assetId: string;
  readonly row: number;
  readonly column: number;
  readonly lat: number;
  readonly lon: number;
}

/** Metres before the stop line at which a detector is drawn on the map. */
const detectorSetbackMetres = 40;

/** Rank of each distinct value, ascending. */
function ranks(values: number[]): Map<number, number> {
  return new Map([...new Set(values)].sort((a, b) => a - b).map((v, i) => [v, i]));
}

/** Where the controlled intersections are: row 0 is the northmost distinct y, column 0 the westmost x. */
export function districtPlaces(
  roadnet: RoadnetSpec,
  controlled: readonly string[],
  centre: LatLon,
  idPrefix: string,
): DistrictPlace[] {
  const ids = new Set(controlled);
  const specs = roadnet.intersections.filter((i) => ids.has(i.id));
  const ys = ranks(specs.map((i) => -i.point.y));
  const xs = ranks(specs.map((i) => i.point.x));
  return specs.map((i) => ({
    id: i.id,
    assetId: `${idPrefix}${i.id}`,
    row: ys.get(-i.point.y)!,
    column: xs.get(i.point.x)!,
    ...toLatLon(i.point, centre),
  }));
}

export function buildDetectors(
  engine: Engine,
  roadnet: RoadnetSpec,
  places: readonly DistrictPlace[],
  centre: LatLon,
  grouping: DetectorGrouping,
): Detector[] {
  const roads = new Map(roadnet.roads.map((r) => [r.id, r]));
  const detectors: Detector[] = [];
  for (const place of places) {
    const intersection = engine.network.intersections.find((i) => i.id === place.id)!;
    const incoming = [...new Set(intersection.roadLinks.map((link) => link.startRoad))];
    for (const road of incoming) {
      const spec = roads.get(road.id)!;
      const end = spec.points[spec.points.length - 1]!;
      const before = spec.points[spec.points.length - 2]!;
      const length = Math.hypot(end.x - before.x, end.y - before.y) || 1;
      const back = Math.min(detectorSetbackMetres, length / 2) / length;
      const at = toLatLon(
        { x: end.x - (end.x - before.x) * back, y: end.y - (end.y - before.y) * back },
        centre,
      );
      const groups = grouping === 'approach' ? [road.lanes] : road.lanes.map((lane) => [lane]);
      for (const lanes of groups) {
        const name = grouping === 'approach' ? road.id : lanes[0]!.id;
        const base = `${place.assetId}.${name}`;
        detectors.push({
          intersectionId: place.id,
          assetId: place.assetId,
          queueSensor: `${base}.queue`,
          flowSensor: `${base}.flow`,
          lanes,
          road: road.id,
          ...at,
        });
      }
    }
  }
  return detectors;
}

export function intersectionAssets(places: readonly DistrictPlace[], controller: string): Asset[] {
  return places.map((p) => ({
    id: p.assetId,
    type: 'intersection',
    name: `Signalised intersection ${p.row + 1}-${p.column + 1}`,
    lat: p.lat,
    lon: p.lon,
    tags: { roadnet: p.id, row: String(p.row), column: String(p.column), controller },
  }));
}

export function detectorSensors(detectors: readonly Detector[]): Sensor[] {
  return detectors.flatMap((d) => {
    // Lane detectors feed the signal controller; their bursts are traffic, not failing equipment.
    const tags = { road: d.road, lanes: d.lanes.map((l) => l.id).join(' '), failure_prediction: 'off' };
    const common = { asset: d.assetId, lat: d.lat, lon: d.lon, tags };
    return [
      { id: d.queueSensor, kind: 'lane-queue', unit: 'vehicles', ...common },
      { id: d.flowSensor, kind: 'lane-flow', unit: 'vehicles/h', ...common },
    ];
  });
}

/** Counts, per detector, vehicles that left its lanes over the stop line since the last `take`. */
export class FlowCounter {
  readonly #lanes: Lane[];
  readonly #owner: Int32Array;
  readonly #heads: (Vehicle | undefined)[];
  readonly #counts: Float64Array;

  constructor(detectors: readonly Detector[]) {
    this.#lanes = detectors.flatMap((d) => d.lanes);
    this.#owner = Int32Array.from(detectors.flatMap((d, index) => d.lanes.map(() => index)));
    this.#heads = this.#lanes.map((lane) => lane.vehicles[0]);
    this.#counts = new Float64Array(detectors.length);
  }

  /** Call after every engine step. */
  observe(): void {
    const lanes = this.#lanes;
    for (let i = 0; i < lanes.length; i++) {
      const head = lanes[i]!.vehicles[0];
      const previous = this.#heads[i];
      if (previous === head) continue;
      // The old head is on a lane link now (or finished there): it crossed the stop line.
      if (previous !== undefined && (previous.finished || previous.drivable.kind !== laneKind)) {
        this.#counts[this.#owner[i]!]! += 1;
      }
      this.#heads[i] = head;
    }
  }

  /** Vehicles counted per detector since the last call, and resets. */
  take(): Float64Array {
    const counts = Float64Array.from(this.#counts);
    this.#counts.fill(0);
    return counts;
  }
}

export function queueOf(detector: Detector): number {
  let waiting = 0;
  for (const lane of detector.lanes) for (const v of lane.vehicles) if (v.speed < 0.1) waiting++;
  return waiting;
}
