/** Shapes of the platform's answers, as the dashboard reads them. */
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

export interface EvidencePoint {
  ts: number;
  value: number;
  score: number;
}

export interface Alert {
  id: string;
  sensor: string;
  asset: string;
  score: number;
  threshold: number;
  ts: number;
  evidence: EvidencePoint[];
  workOrder: string;
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

/** `GET /api/v1/traffic`: the simulated signalised district, adaptive control against fixed time. */
export interface TrafficSnapshot {
  timeSeconds: number;
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

/** `GET /api/v1/hospitals`: emergency departments and recent ambulance recommendations. */
export interface HospitalsSnapshot {
  hospitals: {
    id: string;
    name: string;
    beds: number;
    inTreatment: number;
    queueByLevel: number[];
    waitMinutes: number;
  }[];
  recommendations: {
    ts: number;
    patient: string;
    level: number;
    hospital: string;
    nearest: string;
    travelMinutes: number;
    expectedMinutes: number;
  }[];
}
