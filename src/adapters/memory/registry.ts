import type { Asset, Sensor } from '../../core/registry/asset.ts';
import type { AssetFilter, BoundingBox, PutOptions, Registry, SensorFilter } from '../../ports/registry.ts';
import { hasTags, inBox } from '../../core/registry/filter.ts';
import { Serial } from '../../core/serial.ts';
import { updateAssetOnQueue, updateSensorOnQueue } from '../registry-update.ts';

function page<T>(items: T[], filter: { limit: number; offset: number }): T[] {
  return items.slice(filter.offset, filter.offset + filter.limit);
}

/** The ids among `records` registered before a put (which, kept, it leaves alone). */
function registered(stored: ReadonlyMap<string, unknown>, records: readonly { id: string }[]): Set<string> {
  return new Set(records.filter((record) => stored.has(record.id)).map((record) => record.id));
}

/** The records in id order (as the database adapters list them), sorted again only after a change. */
class SortedById<T extends { id: string }> {
  #sorted: T[] | undefined;

  changed(): void {
    this.#sorted = undefined;
  }

  of(records: Map<string, T>): T[] {
    this.#sorted ??= [...records.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return this.#sorted;
  }
}

/** The registry in memory: for tests and the demo, and as the cache of the DuckDB adapter. */
export class MemoryRegistry implements Registry {
  readonly #assets = new Map<string, Asset>();
  readonly #sensors = new Map<string, Sensor>();
  readonly #assetOrder = new SortedById<Asset>();
  readonly #sensorOrder = new SortedById<Sensor>();
  /** Updates (read, change, write) one at a time. */
  readonly #updates = new Serial();
  #removals = 0;

  async putAssets(assets: readonly Asset[], options: PutOptions = {}): Promise<void> {
    const kept = options.existing === 'keep' ? registered(this.#assets, assets) : undefined;
    for (const asset of assets) if (!kept?.has(asset.id)) this.#assets.set(asset.id, structuredClone(asset));
    this.#assetOrder.changed();
  }

  async getAsset(id: string): Promise<Asset | undefined> {
    const asset = this.#assets.get(id);
    return asset === undefined ? undefined : structuredClone(asset);
  }

  async listAssets(filter: AssetFilter): Promise<Asset[]> {
    const all = this.#assetOrder
      .of(this.#assets)
      .filter(
        (a) =>
          (filter.type === undefined || a.type === filter.type) &&
          (filter.bbox === undefined || inBox(filter.bbox, a.lat, a.lon)) &&
          hasTags(a.tags, filter.tags),
      );
    return page(all, filter).map((asset) => structuredClone(asset));
  }

  async deleteAsset(id: string): Promise<boolean> {
    if (!this.#assets.delete(id)) return false;
    this.#assetOrder.changed();
    for (const sensor of this.#sensors.values()) if (sensor.asset === id) sensor.asset = null;
    return true;
  }

  async putSensors(sensors: readonly Sensor[], options: PutOptions = {}): Promise<void> {
    const kept = options.existing === 'keep' ? registered(this.#sensors, sensors) : undefined;
    for (const sensor of sensors)
      if (!kept?.has(sensor.id)) this.#sensors.set(sensor.id, structuredClone(sensor));
    this.#sensorOrder.changed();
  }

  async addMissingSensors(sensors: readonly Sensor[]): Promise<void> {
    for (const sensor of sensors) {
      if (this.#sensors.has(sensor.id)) continue;
      this.#sensors.set(sensor.id, structuredClone(sensor));
      this.#sensorOrder.changed();
    }
  }

  updateSensor(id: string, change: (current: Sensor) => Promise<Sensor>): Promise<Sensor | undefined> {
    return updateSensorOnQueue(this.#updates, this, id, change);
  }

  updateAsset(id: string, change: (current: Asset) => Promise<Asset>): Promise<Asset | undefined> {
    return updateAssetOnQueue(this.#updates, this, id, change);
  }

  async getSensor(id: string): Promise<Sensor | undefined> {
    const sensor = this.#sensors.get(id);
    return sensor === undefined ? undefined : structuredClone(sensor);
  }

  async getSensors(ids: readonly string[]): Promise<Sensor[]> {
    return [...new Set(ids)].flatMap((id) => {
      const sensor = this.#sensors.get(id);
      return sensor === undefined ? [] : [structuredClone(sensor)];
    });
  }

  async listSensors(filter: SensorFilter): Promise<Sensor[]> {
    const all = this.#sensorOrder
      .of(this.#sensors)
      .filter(
        (s) =>
          (filter.asset === undefined || s.asset === filter.asset) &&
          (filter.kind === undefined || s.kind === filter.kind) &&
          (filter.bbox === undefined || this.#placedIn(filter.bbox, s)) &&
          hasTags(s.tags, filter.tags),
      );
    return page(all, filter).map((sensor) => structuredClone(sensor));
  }

  async deleteSensor(id: string): Promise<boolean> {
    const deleted = this.#sensors.delete(id);
    if (deleted) {
      this.#removals += 1;
      this.#sensorOrder.changed();
    }
    return deleted;
  }

  async sensorsWithin(box: BoundingBox): Promise<string[]> {
    const ids: string[] = [];
    for (const sensor of this.#sensors.values()) if (this.#placedIn(box, sensor)) ids.push(sensor.id);
    return ids;
  }

  /** Whether the sensor's position, or else its asset's, lies in the box. */
  #placedIn(box: BoundingBox, sensor: Sensor): boolean {
    const asset = sensor.asset === null ? undefined : this.#assets.get(sensor.asset);
    return inBox(box, sensor.lat ?? asset?.lat ?? null, sensor.lon ?? asset?.lon ?? null);
  }

  sensorRemovals(): number {
    return this.#removals;
  }

  hasSensor(id: string): boolean {
    return this.#sensors.has(id);
  }

  async close(): Promise<void> {}
}
