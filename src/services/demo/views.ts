import type { DemandTime } from '../../core/traffic/grid-roadnet.ts';
import type { City } from './city.ts';

/** GeoJSON of the city's roads and river, as `GET /api/v1/map` serves it. */
export interface CityMap {
  name: string;
  centre: { lat: number; lon: number };
  roads: {
    type: 'FeatureCollection';
    features: {
      type: 'Feature';
      properties: { class: string; id: string };
      geometry: { type: 'LineString'; coordinates: [number, number][] };
    }[];
  };
}

/** The simulated signalised district: adaptive control against the fixed-time baseline, live. */
export interface TrafficSnapshot {
  timeSeconds: number;
  /**
   * The simulated time of day whose demand the district runs (its own clock, not the wall's), and
   * that demand as a share of the day's busiest hour; null when its demand has no time of day.
   */
  timeOfDay: DemandTime | null;
  controller: string;
  baseline: string;
  intersections: {
    id: string;
    row: number;
    column: number;
    phase: number;
    phaseCount: number;
    queue: number;
  }[];
  averageTravelSeconds: number;
  baselineTravelSeconds: number;
  history: { ts: number; adaptive: number; baseline: number }[];
}

/** What the city routes read; each view is computed by the demo and only read here. */
export interface CityViews {
  map(): CityMap;
  traffic(): TrafficSnapshot | null;
}

export function cityMap(city: City): CityMap {
  const features: CityMap['roads']['features'] = city.roads.map((road) => ({
    type: 'Feature',
    properties: { class: road.roadClass, id: road.id },
    geometry: { type: 'LineString', coordinates: road.points.map((point) => [point.lon, point.lat]) },
  }));
  features.unshift({
    type: 'Feature',
    properties: { class: 'river', id: 'river' },
    geometry: { type: 'LineString', coordinates: city.river.map((point) => [point.lon, point.lat]) },
  });
  return { name: city.name, centre: city.centre, roads: { type: 'FeatureCollection', features } };
}
