import type { Asset, Sensor } from '../core/registry/asset.ts';
import type { BoundingBox, TagFilter } from '../core/registry/filter.ts';

export type { BoundingBox, TagFilter };

export interface ListOptions {
  limit: number;
  offset: number;
}

export interface SensorFilter extends ListOptions {
  asset?: string;
  kind?: string;
  /** By the sensor's own position, or else its asset's (as `sensorsWithin`). */
  bbox?: BoundingBox;
  /** The sensor's own tags. */
  tags?: TagFilter;
}

export interface AssetFilter extends ListOptions {
  type?: string;
  bbox?: BoundingBox;
  tags?: TagFilter;
}

/** What a put does with a record whose id is registered already. */
export type Existing = 'replace' | 'keep';

export interface PutOptions {
  /**
   * `replace` (the default) stores the new record in its place; `keep` leaves it as it is, so a
   * caller registering what it needs (the demo city, the live traffic district, at every start)
   * does not undo what an operator changed since.
   */
  existing?: Existing;
}

/** The sensor and asset registry. */
export interface Registry {
  /** Creates assets, all or nothing; those already registered are replaced, or kept with `existing: 'keep'`. */
  putAssets(assets: readonly Asset[], options?: PutOptions): Promise<void>;
  getAsset(id: string): Promise<Asset | undefined>;
  /** As `updateSensor`, for an asset. */
  updateAsset(id: string, change: (current: Asset) => Promise<Asset>): Promise<Asset | undefined>;
  listAssets(filter: AssetFilter): Promise<Asset[]>;
  /** Deletes an asset; its sensors keep existing with no asset. False if absent. */
  deleteAsset(id: string): Promise<boolean>;
  /** Creates sensors, all or nothing; those already registered are replaced, or kept with `existing: 'keep'`. */
  putSensors(sensors: readonly Sensor[], options?: PutOptions): Promise<void>;
  /** Registers sensors that do not exist yet and leaves existing ones untouched (auto-register). */
  addMissingSensors(sensors: readonly Sensor[]): Promise<void>;
  getSensor(id: string): Promise<Sensor | undefined>;
  /**
   * The registered sensors among `ids`, each once, in no set order (ids not registered are left
   * out): many sensors in one read where `getSensor` costs one each (a live stream's sensor list).
   */
  getSensors(ids: readonly string[]): Promise<Sensor[]>;
  /**
   * Reads the sensor, gives it to `change` and stores what `change` returns, with no other update of
   * the sensor in between (in this process, or in another one sharing the store). Undefined when
   * there is no such sensor; when `change` throws, nothing is stored and the error is thrown.
   */
  updateSensor(id: string, change: (current: Sensor) => Promise<Sensor>): Promise<Sensor | undefined>;
  listSensors(filter: SensorFilter): Promise<Sensor[]>;
  deleteSensor(id: string): Promise<boolean>;
  /** Ids of the sensors within the box, by their own position or else their asset's. */
  sensorsWithin(box: BoundingBox): Promise<string[]>;
  /**
   * Whether a sensor is registered. Synchronous and cheap: it is asked for every reading ingested,
   * so adapters answer it from memory.
   */
  hasSensor(id: string): boolean;
  /**
   * How many sensors were ever deleted (or another count that moves whenever one is): while it
   * stands still, a sensor once known stays known, so the edge may remember what it looked up.
   */
  sensorRemovals?(): number;
  close(): Promise<void>;
}
