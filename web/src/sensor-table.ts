import type { Projection } from './projection.ts';
import type { Asset, Sensor } from './types.ts';

/** Display state of a sensor, in drawing order (later states are drawn on top). */
export const sensorStates = ['idle', 'ok', 'warn', 'alert'] as const;
export const stateIdle = 0;
export const stateOk = 1;
export const stateWarn = 2;
export const stateAlert = 3;

/**
 * Every sensor of the city in columnar form, so that 50,000 of them can be drawn and updated
 * without allocating: positions in projected metres, asset type index, last reading and flags.
 */
export class SensorTable {
  readonly sensors: Sensor[];
  readonly index = new Map<string, number>();
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly typeIndex: Uint8Array;
  readonly lastTs: Float64Array;
  readonly lastValue: Float64Array;
  /** Work-order overlay: 0 none, `stateWarn` or `stateAlert`. */
  readonly flag: Uint8Array;
  readonly types: string[];
  readonly assets: Map<string, Asset>;
  /** Bumped on every change, so the map knows when to redraw. */
  version = 0;

  constructor(sensors: Sensor[], assets: Asset[], projection: Projection) {
    this.sensors = sensors.filter((sensor) => position(sensor, assets) !== null);
    this.assets = new Map(assets.map((asset) => [asset.id, asset]));
    const count = this.sensors.length;
    this.x = new Float32Array(count);
    this.y = new Float32Array(count);
    this.typeIndex = new Uint8Array(count);
    this.lastTs = new Float64Array(count);
    this.lastValue = new Float64Array(count).fill(Number.NaN);
    this.flag = new Uint8Array(count);
    const typeNames = new Map<string, number>();
    const perAsset = new Map<string, number>();
    for (const sensor of this.sensors)
      perAsset.set(sensor.asset ?? sensor.id, (perAsset.get(sensor.asset ?? sensor.id) ?? 0) + 1);
    const seen = new Map<string, number>();
    this.sensors.forEach((sensor, index) => {
      this.index.set(sensor.id, index);
      const where = position(sensor, assets) as { lat: number; lon: number };
      const group = sensor.asset ?? sensor.id;
      const size = perAsset.get(group) ?? 1;
      const slot = seen.get(group) ?? 0;
      seen.set(group, slot + 1);
      // Sensors of one asset sit on a small ring around it, so each can be seen and picked.
      const angle = (slot / size) * 2 * Math.PI;
      const ringMetres = size > 1 ? 9 : 0;
      this.x[index] = projection.x(where.lon) + ringMetres * Math.cos(angle);
      this.y[index] = projection.y(where.lat) + ringMetres * Math.sin(angle);
      const type = this.assets.get(sensor.asset ?? '')?.type ?? 'other';
      if (!typeNames.has(type)) typeNames.set(type, typeNames.size);
      this.typeIndex[index] = typeNames.get(type) as number;
    });
    this.types = [...typeNames.keys()];
  }

  get count(): number {
    return this.sensors.length;
  }

  /** Applies one reading from the stream; false if the sensor is not on the map. */
  update(sensor: string, ts: number, value: number): boolean {
    const index = this.index.get(sensor);
    if (index === undefined) return false;
    if (ts >= (this.lastTs[index] as number)) {
      this.lastTs[index] = ts;
      this.lastValue[index] = value;
    }
    this.version += 1;
    return true;
  }

  /** State shown for sensor `index`: its work-order flag, else reporting or idle. */
  state(index: number, nowMillis: number, staleMillis: number): number {
    const flag = this.flag[index] as number;
    if (flag !== 0) return flag;
    return nowMillis - (this.lastTs[index] as number) <= staleMillis ? stateOk : stateIdle;
  }

  setFlags(flags: Map<string, number>): void {
    this.flag.fill(0);
    for (const [sensor, flag] of flags) {
      const index = this.index.get(sensor);
      if (index !== undefined) this.flag[index] = flag;
    }
    this.version += 1;
  }

  sensorsOfAsset(asset: string): Sensor[] {
    return this.sensors.filter((sensor) => sensor.asset === asset);
  }
}

function position(sensor: Sensor, assets: Asset[] | Map<string, Asset>): { lat: number; lon: number } | null {
  if (sensor.lat !== null && sensor.lon !== null) return { lat: sensor.lat, lon: sensor.lon };
  const asset =
    assets instanceof Map ? assets.get(sensor.asset ?? '') : assets.find((a) => a.id === sensor.asset);
  if (asset?.lat === null || asset?.lon === null || asset === undefined) return null;
  return { lat: asset.lat, lon: asset.lon };
}
