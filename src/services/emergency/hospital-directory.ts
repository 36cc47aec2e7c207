import { EmergencyBoard } from '../../core/ems/board.ts';
import { treatmentSlots, type Location } from '../../core/ems/hospital.ts';
import type { Registry } from '../../ports/registry.ts';
import { readingsWhere, type ReadingBatch } from '../../core/readings/reading-batch.ts';
import { departmentFromAsset, greatCircleKm, toLocation } from './departments.ts';

/** When patients were called in (epoch ms) at `sinceMillis` or later, as the queue store keeps them. */
export type CalledSince = (
  sinceMillis: number,
) => Promise<readonly { hospital: string; calledMillis: number }[]>;

/** The latest values of some sensors and their times (epoch ms), as the store gives them. */
export type LatestValues = (
  sensors: readonly string[],
) => Promise<ReadonlyMap<string, { ts: number; value: number }>>;

export interface HospitalDirectoryOptions {
  registry: Registry;
  /** Sensor kind whose readings report an emergency department's patients in treatment. */
  occupancyKind: string;
  /** Where problems with the registry's hospitals (unreadable capacity tags) are reported. */
  log: (line: string) => void;
  /** Occupancy read from the store at each look (a cluster's API process) instead of live readings. */
  latestOccupancy: LatestValues | undefined;
  /** The store's latest values, read for occupancy sensors found when the hospitals are read again. */
  storedLatest: LatestValues | undefined;
  /** The patients called in, read from the store at each look: every process counts the same calls. */
  called: CalledSince;
  nowMillis: () => number;
  /**
   * How long a patient called in counts as in treatment when no occupancy reading has come since:
   * a hospital without an occupancy sensor would otherwise look fuller with each call, for ever.
   */
  treatmentMillis: number;
  /**
   * An occupancy reading older than this no longer tells the load: its sensor may have died at a
   * quiet hour. The load is then unknown, and counted as full until a new reading comes.
   */
  occupancyMaxAgeMillis: number;
}

/**
 * What is known of a hospital's load: `current` (a reading younger than the limit), `stale` (the
 * latest reading is older: unknown, counted as full), `none` (no reading: the patients called in
 * count for the mean treatment time). `readingMillis` is the time of the latest reading, if any.
 */
export interface OccupancyState {
  status: 'current' | 'stale' | 'none';
  readingMillis: number | null;
}

/** A hospital as the registry describes it (capacity) and what could not be read from it. */
export interface HospitalEntry {
  id: string;
  name: string;
  lat: number;
  lon: number;
  treatmentSpaces: number;
  doctorsOnShift: number;
  /** Capacity tags that could not be read (each counts as 0 until fixed); empty when all is well. */
  problems: string[];
}

/**
 * The city's hospitals as the registry knows them (assets of type `hospital` with coordinates),
 * with the occupancy their sensors report. Read again from the registry at each look, rebuilt only
 * when the hospitals change; occupancy is kept in memory and restored by the next reading, the
 * patients called in since are read from the store.
 */
export class HospitalDirectory {
  readonly #options: HospitalDirectoryOptions;
  /** Hospitals and their occupancy (no queues: those are read from the store when needed). */
  #board = new EmergencyBoard([]);
  #signature = '';
  #hospitals = new Map<string, HospitalEntry>();
  /** Hospital assets without a position: known, but not departments (travel times need one). */
  #unlocated = new Set<string>();
  /** Occupancy sensor id → hospital id, refreshed with the hospitals. */
  #occupancySensors = new Map<string, string>();
  /** Occupancy sensors whose latest stored reading is being read, until a live one comes. */
  #awaitingStored: Set<string> | undefined;
  #referenceLatitude = 0;
  /** The latest occupancy reading of each hospital that has one, and its time (epoch ms). */
  #occupancy = new Map<string, { inTreatment: number; readingMillis: number; ts: number }>();
  /** Hospitals whose latest reading was too old at the last `board` (their load is unknown). */
  #stale = new Set<string>();

  constructor(options: HospitalDirectoryOptions) {
    this.#options = options;
  }

  /** Whether occupancy comes from live readings (`recordReadings`) rather than the store. */
  get live(): boolean {
    return this.#options.latestOccupancy === undefined;
  }

  /** The hospitals of the last `sync`, in registry order. */
  hospitals(): IterableIterator<HospitalEntry> {
    return this.#hospitals.values();
  }

  has(hospitalId: string): boolean {
    return this.#hospitals.has(hospitalId);
  }

  /** Why a hospital id is not an emergency department (as of the last `sync`), for a 404. */
  unknown(hospitalId: string): string {
    return this.#unlocated.has(hospitalId)
      ? `hospital '${hospitalId}' has no position (lat, lon): it becomes an emergency department once it has one`
      : `no hospital '${hospitalId}'`;
  }

  /** Plane coordinates of (lat, lon) in the frame of the hospitals' locations. */
  location(lat: number, lon: number): Location {
    return toLocation(lat, lon, this.#referenceLatitude);
  }

  /** The known hospital nearest to (lat, lon) along the Earth's surface, and its distance. */
  nearestKm(lat: number, lon: number): { id: string; km: number } {
    let nearest = { id: '', km: Infinity };
    for (const hospital of this.#hospitals.values()) {
      const km = greatCircleKm(lat, lon, hospital.lat, hospital.lon);
      if (km < nearest.km) nearest = { id: hospital.id, km };
    }
    return nearest;
  }

  /** What is known of a hospital's load now (as of the last `board`). */
  occupancy(hospitalId: string): OccupancyState {
    const reading = this.#occupancy.get(hospitalId);
    if (reading === undefined) return { status: 'none', readingMillis: null };
    return {
      status: this.#stale.has(hospitalId) ? 'stale' : 'current',
      readingMillis: reading.readingMillis,
    };
  }

  /**
   * The hospitals with their occupancy now (read from the store first, in a cluster's API process)
   * and the patients called in, as the store holds them.
   */
  async board(): Promise<EmergencyBoard> {
    const latestOccupancy = this.#options.latestOccupancy;
    if (latestOccupancy !== undefined && this.#occupancySensors.size > 0) {
      const latest = await latestOccupancy([...this.#occupancySensors.keys()]);
      this.recordReadings([...latest].map(([sensor, { ts, value }]) => ({ sensor, ts, value })));
    }
    const now = this.#options.nowMillis();
    this.#refreshLoad(now, await this.#options.called(now - this.#options.treatmentMillis));
    return this.#board;
  }

  /**
   * In treatment: the latest reading, plus the patients called in after it (for `treatmentMillis`
   * each: `calls` holds no older ones); every treatment slot when the latest reading is stale (the
   * load is unknown: not taken as empty).
   */
  #refreshLoad(now: number, calls: readonly { hospital: string; calledMillis: number }[]): void {
    const callTimes = new Map<string, number[]>();
    for (const call of calls) {
      const times = callTimes.get(call.hospital);
      if (times === undefined) callTimes.set(call.hospital, [call.calledMillis]);
      else times.push(call.calledMillis);
    }
    this.#stale.clear();
    for (const status of this.#board.statuses()) {
      const id = status.hospital.id;
      const latest = this.#occupancy.get(id);
      if (latest !== undefined && now - latest.readingMillis > this.#options.occupancyMaxAgeMillis) {
        this.#stale.add(id);
        this.#board.recordOccupancy(id, treatmentSlots(status.hospital));
        continue;
      }
      // A call the latest reading was taken after is in that reading already.
      const after = latest?.readingMillis ?? -Infinity;
      const called = (callTimes.get(id) ?? []).filter((millis) => millis > after).length;
      const reading = latest?.inTreatment ?? 0;
      const counted = Math.max(reading, Math.min(treatmentSlots(status.hospital), reading + called));
      this.#board.recordOccupancy(id, counted);
    }
  }

  /** Rebuilds the board when the registry's hospitals change, keeping occupancy. */
  async sync(): Promise<void> {
    const known = this.#occupancySensors;
    await this.#readHospitals();
    // A hospital whose occupancy sensor left the registry has no reading any more (not a stale one).
    const sensed = new Set(this.#occupancySensors.values());
    for (const id of this.#occupancy.keys())
      if (!sensed.has(id)) {
        this.#occupancy.delete(id);
        this.#board.recordOccupancy(id, 0);
      }
    // A sensor found now may have sent readings before: its latest stored one counts.
    const found = [...this.#occupancySensors.keys()].filter((sensor) => !known.has(sensor));
    const storedLatest = this.#options.storedLatest;
    if (found.length > 0 && storedLatest !== undefined) {
      // A live reading that arrives while the store is read is newer than what the store gives.
      const awaiting = new Set(found);
      this.#awaitingStored = awaiting;
      const latest = await storedLatest(found);
      if (this.#awaitingStored === awaiting) this.#awaitingStored = undefined;
      const older = [...latest].filter(([sensor]) => awaiting.has(sensor));
      this.recordReadings(older.map(([sensor, { ts, value }]) => ({ sensor, ts, value })));
    }
  }

  /**
   * A batch off the bus: its occupancy readings, picked by id (`readingsWhere`: for a batch of
   * columns no object is made for a reading of another sensor).
   */
  recordBatch(batch: ReadingBatch): void {
    if (this.#occupancySensors.size === 0) return;
    this.recordReadings(readingsWhere(batch, (sensor) => this.#occupancySensors.has(sensor)));
  }

  /**
   * Occupancy readings: a Map lookup per reading, so the ingest hot path pays almost nothing. A
   * reading's time is its timestamp, or now when that lies ahead (a sensor clock running fast must
   * not keep its reading current beyond the limit).
   */
  recordReadings(readings: readonly { sensor: string; ts: number; value: number }[]): void {
    if (this.#occupancySensors.size === 0) return;
    for (const reading of readings) {
      const hospitalId = this.#occupancySensors.get(reading.sensor);
      if (hospitalId === undefined || !Number.isFinite(reading.value)) continue;
      // Only a newer reading tells something new (the store gives the same latest one at each look).
      const held = this.#occupancy.get(hospitalId);
      if (held !== undefined && reading.ts <= held.ts) continue;
      const inTreatment = Math.max(0, Math.round(reading.value));
      const readingMillis = Math.min(reading.ts, this.#options.nowMillis());
      this.#occupancy.set(hospitalId, { inTreatment, readingMillis, ts: reading.ts });
      this.#stale.delete(hospitalId);
      this.#board.recordOccupancy(hospitalId, inTreatment);
      this.#awaitingStored?.delete(reading.sensor);
    }
  }

  async #readHospitals(): Promise<void> {
    const { registry, occupancyKind, log } = this.#options;
    const assets = await registry.listAssets({ type: 'hospital', limit: 100_000, offset: 0 });
    const located = assets.filter((asset) => asset.lat !== null && asset.lon !== null);
    const unlocated = new Set(
      assets.filter((asset) => asset.lat === null || asset.lon === null).map((a) => a.id),
    );
    for (const id of unlocated)
      if (!this.#unlocated.has(id))
        log(
          `emergency: hospital ${id} has no position (lat, lon): it is not an emergency department until it has one`,
        );
    this.#unlocated = unlocated;
    const sensors = await registry.listSensors({ kind: occupancyKind, limit: 100_000, offset: 0 });
    const hospitalIds = new Set(located.map((asset) => asset.id));
    this.#occupancySensors = new Map(
      sensors.flatMap((sensor) =>
        sensor.asset !== null && hospitalIds.has(sensor.asset) ? [[sensor.id, sensor.asset] as const] : [],
      ),
    );
    const signature = JSON.stringify(located.map((a) => [a.id, a.lat, a.lon, a.tags]));
    if (signature === this.#signature) return;
    this.#referenceLatitude = located[0]?.lat ?? 0;
    const departments = located.flatMap((asset) => {
      const department = departmentFromAsset(asset, this.#referenceLatitude);
      return department === undefined ? [] : [department];
    });
    for (const { hospital, problems } of departments)
      for (const problem of problems) log(`emergency: hospital ${hospital.id}: ${problem}`);
    const previous = this.#board;
    const board = new EmergencyBoard(departments.map((department) => department.hospital));
    for (const status of previous.statuses()) board.recordOccupancy(status.hospital.id, status.inTreatment);
    this.#board = board;
    this.#signature = signature;
    this.#hospitals = new Map(
      located.map((asset) => {
        const department = departments.find((candidate) => candidate.hospital.id === asset.id);
        return [
          asset.id,
          {
            id: asset.id,
            name: asset.name,
            lat: asset.lat ?? 0,
            lon: asset.lon ?? 0,
            treatmentSpaces: department?.hospital.treatmentSpaces ?? 0,
            doctorsOnShift: department?.hospital.doctorsOnShift ?? 0,
            problems: department?.problems ?? [],
          },
        ];
      }),
    );
  }
}
