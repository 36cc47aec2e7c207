import type { Asset, Sensor } from '../../core/registry/asset.ts';
import { offset, type LatLon } from './geo.ts';
import { departmentOccupancyKind, kindsByAssetType, travelTimeKind, type SensorKind } from './kinds.ts';
import { seededRandom, type Random } from './random.ts';

export type RoadClass = 'ring' | 'avenue' | 'street';

export interface Road {
  id: string;
  roadClass: RoadClass;
  points: LatLon[];
}

/** A signalised junction of the street grid; `row`/`column` count from the north-west corner. */
export interface GridNode {
  id: string;
  row: number;
  column: number;
  position: LatLon;
}

/** A sensor of the demo and the signal it follows. */
export interface DemoSensor {
  sensor: Sensor;
  kind: SensorKind;
  /** Set when a model of the city reports this sensor's readings instead of the synthetic signal. */
  modelled?: true;
}

export interface City {
  name: string;
  centre: LatLon;
  gridSize: number;
  spacingMetres: number;
  roads: Road[];
  river: LatLon[];
  nodes: GridNode[];
  assets: Asset[];
  sensors: DemoSensor[];
}

export interface CityOptions {
  /** Total number of sensors; at least 200. */
  sensorCount: number;
  seed: number;
}

export const cityCentre: LatLon = { lat: 46.2044, lon: 7.4312 };
/** Metres between two junctions of the street grid. */
export const spacingMetres = 380;

/** Junctions per row (and per column) of the street grid of a city of `sensorCount` sensors. */
export function cityGridSize(sensorCount: number): number {
  return Math.max(4, Math.min(200, Math.round(Math.sqrt(sensorCount / 7))));
}

/**
 * Where to centre a `size` × `size` signalised district laid out at the grid's spacing so that its
 * intersections fall on junctions of the street grid (within their jitter) rather than mid-block:
 * half a block off the city's centre when the two grids differ in parity.
 */
export function districtCentre(sensorCount: number, size: number): LatLon {
  const shift = (cityGridSize(sensorCount) - size) % 2 === 0 ? 0 : spacingMetres / 2;
  return offset(cityCentre, shift, shift);
}

/**
 * Generates the demo city, deterministically for a seed: a jittered street grid with avenues, a ring
 * road and a river, and assets (intersections, bridges, hospitals, pumps, substations, water mains)
 * carrying exactly `sensorCount` sensors.
 */
export function generateCity(options: CityOptions): City {
  if (!Number.isInteger(options.sensorCount) || options.sensorCount < 200) {
    throw new RangeError(`sensorCount must be an integer ≥ 200, got ${options.sensorCount}`);
  }
  const random = seededRandom(options.seed);
  const gridSize = cityGridSize(options.sensorCount);
  const nodes = gridNodes(gridSize, random);
  const sizeMetres = gridSize * spacingMetres;
  const riverAt = (east: number): number =>
    0.12 * sizeMetres * Math.sin((east / sizeMetres) * 5) - 0.08 * sizeMetres;
  const roads = gridRoads(nodes, gridSize, random);
  roads.push(ringRoad(0.42 * sizeMetres));
  const river: LatLon[] = [];
  for (let step = 0; step <= 120; step += 1) {
    const east = (step / 120 - 0.5) * 1.3 * sizeMetres;
    river.push(offset(cityCentre, east, riverAt(east)));
  }
  const builder = new CityBuilder(options.sensorCount, random);
  for (const node of nodes)
    builder.addAsset('intersection', node.id, `Junction ${node.row + 1}/${node.column + 1}`, node.position);
  const hospitals = Math.max(2, Math.min(40, Math.round(options.sensorCount / 600)));
  // Capacities come from their own generator, so the rest of the city is the same as without them.
  const capacities = seededRandom(options.seed + 7);
  for (let index = 0; index < hospitals; index += 1) {
    const node = nodes[random.index(nodes.length)] as GridNode;
    const spaces = 6 + capacities.index(10);
    builder.addAsset(
      'hospital',
      id('hospital', index),
      `${hospitalNames[index % hospitalNames.length]} Hospital`,
      jitter(node.position, random),
      {
        tags: {
          treatment_spaces: String(spaces),
          doctors_on_shift: String(Math.max(4, spaces - capacities.index(4))),
        },
      },
    );
  }
  for (let column = 0; column < gridSize; column += 1) {
    const east = (column - (gridSize - 1) / 2) * spacingMetres;
    builder.addAsset(
      'bridge',
      id('bridge', column),
      `Bridge ${column + 1}`,
      offset(cityCentre, east, riverAt(east)),
    );
  }
  const travelTime = builder.sensors.find((entry) => entry.sensor.kind === 'speed');
  if (travelTime?.sensor.asset) builder.addSensor(travelTime.sensor.asset, travelTimeKind, travelTime.sensor);
  const cycle = ['water-main', 'pump', 'water-main', 'substation', 'pump'] as const;
  for (let index = 0; builder.remaining > 0; index += 1) {
    const type = cycle[index % cycle.length] as (typeof cycle)[number];
    const node = nodes[random.index(nodes.length)] as GridNode;
    const label = type === 'water-main' ? 'Water main' : type === 'pump' ? 'Pump station' : 'Substation';
    builder.addAsset(type, id(type, index), `${label} ${index + 1}`, jitter(node.position, random));
  }
  return {
    name: 'Norhaven',
    centre: cityCentre,
    gridSize,
    spacingMetres,
    roads,
    river,
    nodes,
    assets: builder.assets,
    sensors: builder.sensors,
  };
}

const hospitalNames = [
  'St. Anna',
  'Riverside',
  'North Gate',
  'University',
  'Lakeside',
  'Old Town',
  'Westfield',
  'Hill Park',
];

function id(prefix: string, index: number): string {
  return `${prefix}-${String(index).padStart(4, '0')}`;
}

function jitter(position: LatLon, random: Random): LatLon {
  return offset(
    position,
    random.between(-0.4, 0.4) * spacingMetres,
    random.between(-0.4, 0.4) * spacingMetres,
  );
}

function gridNodes(gridSize: number, random: Random): GridNode[] {
  const nodes: GridNode[] = [];
  const half = (gridSize - 1) / 2;
  for (let row = 0; row < gridSize; row += 1) {
    for (let column = 0; column < gridSize; column += 1) {
      const east = (column - half) * spacingMetres + random.normal() * 0.06 * spacingMetres;
      const north = (half - row) * spacingMetres + random.normal() * 0.06 * spacingMetres;
      const nodeId = `junction-${String(row).padStart(3, '0')}-${String(column).padStart(3, '0')}`;
      nodes.push({ id: nodeId, row, column, position: offset(cityCentre, east, north) });
    }
  }
  return nodes;
}

/** Rows and columns of the grid as polylines; a few street blocks are left out, never on avenues. */
function gridRoads(nodes: readonly GridNode[], gridSize: number, random: Random): Road[] {
  const roads: Road[] = [];
  const at = (row: number, column: number): GridNode => nodes[row * gridSize + column] as GridNode;
  for (const direction of ['row', 'column'] as const) {
    for (let line = 0; line < gridSize; line += 1) {
      const roadClass: RoadClass = line % 5 === 2 ? 'avenue' : 'street';
      let points: LatLon[] = [];
      const flush = (): void => {
        if (points.length > 1) roads.push({ id: `${direction}-${line}-${roads.length}`, roadClass, points });
        points = [];
      };
      for (let step = 0; step < gridSize; step += 1) {
        const node = direction === 'row' ? at(line, step) : at(step, line);
        points.push(node.position);
        if (roadClass === 'street' && random.next() < 0.06) flush();
      }
      flush();
    }
  }
  return roads;
}

function ringRoad(radiusMetres: number): Road {
  const points: LatLon[] = [];
  for (let step = 0; step <= 96; step += 1) {
    const angle = (step / 96) * 2 * Math.PI;
    points.push(offset(cityCentre, radiusMetres * Math.cos(angle), radiusMetres * 0.85 * Math.sin(angle)));
  }
  return { id: 'ring', roadClass: 'ring', points };
}

/** Collects assets and their sensors until the sensor budget is spent. */
class CityBuilder {
  readonly assets: Asset[] = [];
  readonly sensors: DemoSensor[] = [];
  remaining: number;
  private readonly random: Random;

  constructor(budget: number, random: Random) {
    this.remaining = budget;
    this.random = random;
  }

  addAsset(
    type: string,
    assetId: string,
    name: string,
    position: LatLon,
    extra: { tags?: Record<string, string> } = {},
  ): void {
    if (this.remaining <= 0) return;
    this.assets.push({
      id: assetId,
      type,
      name,
      lat: position.lat,
      lon: position.lon,
      tags: { district: this.district(position), ...extra.tags },
    });
    for (const kind of kindsByAssetType[type] ?? []) {
      if (this.remaining <= 0) break;
      this.addSensor(assetId, kind, { lat: position.lat, lon: position.lon });
    }
  }

  addSensor(assetId: string, kind: SensorKind, position: { lat: number | null; lon: number | null }): void {
    if (this.remaining <= 0) return;
    this.remaining -= 1;
    const sensor: Sensor = {
      id: `${assetId}.${kind.kind}`,
      kind: kind.kind,
      unit: kind.unit,
      asset: assetId,
      lat: position.lat,
      lon: position.lon,
      tags: {},
    };
    this.sensors.push(kind === departmentOccupancyKind ? { sensor, kind, modelled: true } : { sensor, kind });
  }

  private district(position: LatLon): string {
    const north = position.lat >= cityCentre.lat ? 'north' : 'south';
    const east = position.lon >= cityCentre.lon ? 'east' : 'west';
    return `${north}-${east}`;
  }
}
