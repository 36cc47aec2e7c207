/** Shapes of the platform's answers, as the dashboard reads them. */

// Wire types the server declares are imported from it (type-only: nothing of the server is bundled).
export type { Alert, EvidencePoint } from '../../src/core/maintenance/alert.ts';
export type { TrafficSnapshot } from '../../src/services/demo/views.ts';
export type { HospitalsSnapshot } from '../../src/services/emergency/hospitals-snapshot.ts';

export interface Sensor {
  id: string;
  kind: string;
  unit: string;
  asset: string | null;
  lat: number | null;
  lon: number | null;
}

export interface Asset {
  id: string;
  type: string;
  name: string;
  lat: number | null;
  lon: number | null;
}

export interface Reading {
  sensor: string;
  ts: number;
  value: number;
}

export interface SeriesPoint {
  ts: number;
  value: number;
}

export type WorkOrderStatus = 'open' | 'acknowledged' | 'resolved' | 'false-alarm';

export interface Verdict {
  action: string;
  from: WorkOrderStatus;
  to: WorkOrderStatus;
  by: string;
  at: number;
}

export interface WorkOrder {
  id: string;
  asset: string;
  assetType: string;
  status: WorkOrderStatus;
  severity: string;
  maxScore: number;
  threshold: number;
  firstWarningAt: number;
  lastAlertAt: number;
  sensors: string[];
  /** The alerts gathered into the order. */
  alertIds?: string[];
  verdicts: Verdict[];
}

/** A live-stream event other than a reading (`alert`, `workorder`, …). */
export interface BusEvent {
  type: string;
  ts: number;
  sensor?: string;
  asset?: string;
  data: Record<string, unknown>;
}

export interface CityMap {
  name: string;
  centre: { lat: number; lon: number };
  roads: { type: 'FeatureCollection'; features: RoadFeature[] };
}

export interface RoadFeature {
  type: 'Feature';
  properties: { class: string };
  geometry: { type: 'LineString'; coordinates: [number, number][] };
}

export interface Whoami {
  id: string;
  name: string;
  role: 'viewer' | 'operator' | 'admin' | 'device';
}
