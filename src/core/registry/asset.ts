/** Kinds of city asset the registry knows; other strings are accepted but these are the common ones. */
export const assetTypes = [
  'pump',
  'bridge',
  'substation',
  'water-main',
  'intersection',
  'hospital',
  'transformer',
  'valve',
  'building',
  'other',
] as const;

export type Tags = Record<string, string>;

/** A physical thing in the city that sensors observe. Coordinates are WGS 84 degrees. */
export interface Asset {
  id: string;
  type: string;
  name: string;
  lat: number | null;
  lon: number | null;
  tags: Tags;
}

/** A source of readings. `asset` is the id of the asset it observes, if any. */
export interface Sensor {
  id: string;
  kind: string;
  unit: string;
  asset: string | null;
  lat: number | null;
  lon: number | null;
  tags: Tags;
}

/** A sensor created by the auto-register policy: nothing is known but its id. */
export function unknownSensor(id: string): Sensor {
  return { id, kind: 'unknown', unit: '', asset: null, lat: null, lon: null, tags: {} };
}

/** Whether nothing is known of the sensor but its id: it is what `unknownSensor` makes of its id. */
export function isUnknownSensor(sensor: Sensor): boolean {
  const unknown = unknownSensor(sensor.id);
  return (
    sensor.kind === unknown.kind &&
    sensor.unit === unknown.unit &&
    sensor.asset === unknown.asset &&
    sensor.lat === unknown.lat &&
    sensor.lon === unknown.lon &&
    Object.keys(sensor.tags).length === 0
  );
}
