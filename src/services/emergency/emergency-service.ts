import { defaultCity } from '../../core/ems/city.ts';
import type { Recommendation } from '../../core/ems/destination.ts';
import { recommendDestination } from '../../core/ems/destination.ts';
import { EmergencyBoard } from '../../core/ems/board.ts';
import type { QueueEntry } from '../../core/ems/queue.ts';
import type { TriageModel, TriageResult } from '../../core/triage/engine.ts';
import { triage } from '../../core/triage/engine.ts';
import { byAmbulance, type Level, type Presentation } from '../../core/triage/presentation.ts';
import type { AmbulanceTrip, AmbulanceTripStore } from '../../ports/ambulance-trips.ts';
import type { MessageBus, Subscription } from '../../ports/bus.ts';
import type { PatientQueueStore } from '../../ports/patient-queues.ts';
import type { Registry } from '../../ports/registry.ts';
import {
  HospitalDirectory,
  type HospitalEntry,
  type LatestValues,
  type OccupancyState,
} from './hospital-directory.ts';

export interface EmergencyServiceOptions {
  registry: Registry;
  bus: MessageBus;
  /** Where the queues live: the platform's database, so that they survive a restart. */
  queues: PatientQueueStore;
  /** Where the ambulances en route live: the platform's database too, for the same reasons. */
  trips: AmbulanceTripStore;
  model: TriageModel;
  nowMillis?: () => number;
  /** Ambulance speed for travel-time estimates. */
  speedKmPerHour?: number;
  /** Road distance over straight-line distance. */
  roadFactor?: number;
  /** Mean treatment time of the case mix, minutes. */
  meanTreatmentMinutes?: number;
  /**
   * An occupancy reading older than this (minutes, default 30) no longer counts: the hospital's load
   * is unknown and counted as full (its sensor may have died at a quiet hour) until a new one comes.
   */
  maxOccupancyAgeMinutes?: number;
  /** Recent dispatches kept for the dashboard. */
  recentLimit?: number;
  /** A location farther than this from every hospital is refused (a typo, or a point at 0, 0). */
  maxDistanceKm?: number;
  /** A dispatched ambulance counts as en route at most this long (else twice its travel time + 10 min). */
  maxTripMinutes?: number;
  /** Where problems with the registry's hospitals (unreadable capacity tags) are reported. */
  log?: (line: string) => void;
  /** Sensor kind whose readings report an emergency department's patients in treatment. */
  occupancyKind?: string;
  /**
   * Where occupancy is read from when the departments are looked at: the latest stored values of
   * these sensors. For a cluster's API process, which does not take in the live readings. Without
   * it, occupancy readings are taken from the bus as they arrive.
   */
  latestOccupancy?: LatestValues;
  /**
   * The store's latest values, read for the occupancy sensors found when the hospitals are read
   * again (a sensor registered since may have reported already). Live readings come from the bus.
   */
  storedLatest?: LatestValues;
}

/** A hospital chosen for a patient. */
export type Chosen = Extract<Recommendation, { ok: true }>;

/** No destination: 400 for a location no hospital serves, 409 when no hospital can take a patient. */
export type NoDestination = { ok: false; reason: string; status: 400 | 409 };

export type DestinationOutcome = Chosen | NoDestination;

export type DispatchOutcome = (Chosen & { tripId: string; countsUntilMillis: number }) | NoDestination;

/** A dispatch, as the dashboard lists them. */
export interface RecommendationRecord {
  ts: number;
  tripId: string;
  level: Level;
  lat: number;
  lon: number;
  recommendation: Chosen;
}

export type AdmitOutcome =
  | { ok: true; patientId: string; triage: TriageResult; position: number; queued: number }
  | { ok: false; reason: string; status: 404 | 409 };

/** Hospitals as the registry knows them, with their live queues and occupancy. */
export interface DepartmentView extends HospitalEntry {
  inTreatment: number;
  waitingByLevel: number[];
  /** Mean time the patients now queued have waited since admission, minutes (0 when none wait). */
  meanWaitMinutes: number;
  /** Ambulances dispatched here and not yet arrived, by level index 0–4. */
  enRouteByLevel: number[];
  /** Whether `inTreatment` comes from a current reading, a stale one (unknown: counted as full) or none. */
  occupancy: OccupancyState;
  /** Capacity tags that could not be read, and a stale occupancy reading; empty when all is well. */
  problems: string[];
}

/**
 * Triage at the door and emergency load across the city's hospitals. Hospitals are registry
 * assets of type `hospital`; their occupancy arrives as readings of sensors of kind `occupancy`
 * on those assets. Queues live in the `PatientQueueStore` (the platform's database): an admission
 * or a call is acknowledged once stored, survives a restart, and in a cluster every API process
 * sees and serves the same queues and counts the same patients called in. Occupancy readings are
 * kept in memory; the next one restores them.
 */
export class EmergencyService {
  readonly #options: Required<Omit<EmergencyServiceOptions, 'latestOccupancy' | 'storedLatest'>>;
  /** Hospitals and their occupancy (no queues: those are read from the store when needed). */
  readonly #hospitals: HospitalDirectory;
  readonly #recent: RecommendationRecord[] = [];
  #subscription: Subscription | undefined;
  #sequence = 0;
  readonly #instance = Math.random().toString(36).slice(2, 8);

  constructor(options: EmergencyServiceOptions) {
    this.#options = {
      nowMillis: Date.now,
      // The reference city's ambulance speed and road factor (also the demo world's).
      speedKmPerHour: defaultCity.speedKmPerHour,
      roadFactor: defaultCity.roadFactor,
      meanTreatmentMinutes: 45,
      maxOccupancyAgeMinutes: 30,
      recentLimit: 50,
      maxDistanceKm: 200,
      maxTripMinutes: 120,
      occupancyKind: 'occupancy',
      log: () => undefined,
      ...options,
    };
    this.#hospitals = new HospitalDirectory({
      registry: this.#options.registry,
      occupancyKind: this.#options.occupancyKind,
      log: this.#options.log,
      latestOccupancy: options.latestOccupancy,
      storedLatest: options.storedLatest,
      called: (sinceMillis) => this.#options.queues.called(sinceMillis),
      nowMillis: this.#options.nowMillis,
      treatmentMillis: this.#options.meanTreatmentMinutes * 60_000,
      occupancyMaxAgeMillis: this.#options.maxOccupancyAgeMinutes * 60_000,
    });
    if (!(this.#options.speedKmPerHour > 0)) throw new Error('speedKmPerHour must be > 0');
    if (!(this.#options.roadFactor >= 1)) throw new Error('roadFactor must be ≥ 1');
    if (!(this.#options.meanTreatmentMinutes > 0)) throw new Error('meanTreatmentMinutes must be > 0');
    if (!(this.#options.maxOccupancyAgeMinutes > 0)) throw new Error('maxOccupancyAgeMinutes must be > 0');
    if (!(this.#options.maxDistanceKm > 0)) throw new Error('maxDistanceKm must be > 0');
    if (!(this.#options.maxTripMinutes > 0)) throw new Error('maxTripMinutes must be > 0');
  }

  async start(): Promise<void> {
    await this.#hospitals.sync();
    if (this.#hospitals.live)
      this.#subscription = this.#options.bus.subscribe('readings', (readings) =>
        this.#hospitals.recordBatch(readings),
      );
  }

  stop(): void {
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
  }

  triage(presentation: Presentation): TriageResult {
    return triage(presentation, this.#options.model);
  }

  async departments(): Promise<DepartmentView[]> {
    const board = await this.#boardWithQueues();
    const statuses = new Map(board.statuses().map((status) => [status.hospital.id, status]));
    const nowMinutes = this.#options.nowMillis() / 60_000;
    return [...this.#hospitals.hospitals()].map((hospital) => {
      const status = statuses.get(hospital.id);
      const age = this.#staleMinutes(hospital.id);
      const queue = board.queue(hospital.id);
      const waited = queue.reduce((sum, entry) => sum + Math.max(0, nowMinutes - entry.arrivalMinutes), 0);
      return {
        ...hospital,
        inTreatment: status?.inTreatment ?? 0,
        waitingByLevel: [...(status?.waitingByLevel ?? [0, 0, 0, 0, 0])],
        meanWaitMinutes: queue.length === 0 ? 0 : waited / queue.length,
        enRouteByLevel: [...(status?.incomingByLevel ?? [0, 0, 0, 0, 0])],
        occupancy: this.#hospitals.occupancy(hospital.id),
        problems: [
          ...hospital.problems,
          ...(age === undefined
            ? []
            : [
                `occupancy unknown: the latest reading is ${age} min old; counted as full until a new one comes`,
              ]),
        ],
      };
    });
  }

  /** Why `hospitalId` is not an emergency department: the error of a 404. */
  unknownHospital(hospitalId: string): string {
    return this.#hospitals.unknown(hospitalId);
  }

  async queue(hospitalId: string): Promise<QueueEntry[] | undefined> {
    const board = await this.#boardWithQueues();
    return this.#hospitals.has(hospitalId) ? board.queue(hospitalId) : undefined;
  }

  /**
   * Triage a patient at a hospital's door and put them in its queue (level, then arrival). The
   * ambulance of `tripId` has arrived; without it, a patient arriving by ambulance ends the trip to
   * this hospital at their level (else the earliest one here).
   */
  async admit(
    hospitalId: string,
    presentation: Presentation,
    patientId?: string,
    tripId?: string,
  ): Promise<AdmitOutcome> {
    await this.#hospitals.sync();
    if (!this.#hospitals.has(hospitalId))
      return { ok: false, reason: this.#hospitals.unknown(hospitalId), status: 404 };
    const result = this.triage(presentation);
    const now = this.#options.nowMillis();
    // Unique across the processes of a cluster, which share the queues.
    const id = patientId ?? `p${now}-${++this.#sequence}-${this.#instance}`;
    const added = await this.#options.queues.add({
      hospital: hospitalId,
      patientId: id,
      level: result.level,
      arrivalMillis: now,
    });
    if (!added)
      return { ok: false, reason: `patient '${id}' is already queued at ${hospitalId}`, status: 409 };
    if (tripId !== undefined) await this.#options.trips.end(tripId, now);
    else if (byAmbulance(presentation.arrivalMode))
      await this.#options.trips.arrived(hospitalId, result.level, now);
    const ordered = (await this.#withQueues()).queue(hospitalId);
    const position = ordered.findIndex((queued) => queued.patientId === id);
    await this.#publish('patient-admitted', hospitalId, { patient: id, level: result.level, position });
    return { ok: true, patientId: id, triage: result, position, queued: ordered.length };
  }

  /** A provider is free: the next patient by level, then arrival. */
  async callNext(hospitalId: string): Promise<QueueEntry | undefined | null> {
    await this.#hospitals.sync();
    if (!this.#hospitals.has(hospitalId)) return null;
    // Stored with the call: every process counts the patient in treatment, and so does a restart.
    const taken = await this.#options.queues.takeNext(hospitalId, this.#options.nowMillis());
    if (taken === undefined) return undefined;
    await this.#publish('patient-called', hospitalId, { patient: taken.patientId });
    return { patientId: taken.patientId, level: taken.level, arrivalMinutes: taken.arrivalMillis / 60_000 };
  }

  /** A patient left without being seen: null for an unknown hospital, false if not waiting there. */
  async withdraw(hospitalId: string, patientId: string): Promise<boolean | null> {
    await this.#hospitals.sync();
    if (!this.#hospitals.has(hospitalId)) return null;
    const withdrawn = await this.#options.queues.withdraw(hospitalId, patientId);
    if (withdrawn) await this.#publish('patient-withdrawn', hospitalId, { patient: patientId });
    return withdrawn;
  }

  /**
   * The hospital with the least expected time to treatment for a patient of `level` at (lat, lon).
   * Changes nothing: asking is free, and any key may ask.
   */
  async recommend(lat: number, lon: number, level: Level): Promise<DestinationOutcome> {
    const options = this.#options;
    const board = await this.#boardWithQueues();
    const statuses = board.statuses();
    if (statuses.length === 0)
      return { ok: false, status: 409, reason: 'no hospital is known (no hospital asset with coordinates)' };
    const nearest = this.#hospitals.nearestKm(lat, lon);
    if (nearest.km > options.maxDistanceKm) {
      const km = Math.round(nearest.km).toLocaleString('en');
      const reason = `is ${km} km from the nearest hospital (${nearest.id}); must be within ${options.maxDistanceKm} km of one`;
      return { ok: false, status: 400, reason };
    }
    const recommendation = recommendDestination(
      { location: this.#hospitals.location(lat, lon), level },
      statuses,
      {
        speedKmPerHour: options.speedKmPerHour,
        roadFactor: options.roadFactor,
        meanTreatmentMinutes: options.meanTreatmentMinutes,
      },
    );
    if (!recommendation.ok) {
      const reason = `${recommendation.reason}: every hospital has 0 treatment spaces or 0 doctors on shift`;
      return { ok: false, status: 409, reason };
    }
    return { ...recommendation, reason: recommendation.reason + this.#unknownLoads(recommendation) };
  }

  /** `; occupancy of east unknown (latest reading 95 min ago), counted as full` for the hospitals ranked. */
  #unknownLoads(chosen: Chosen): string {
    const ranked = [chosen.hospital, ...chosen.alternatives.map((option) => option.hospitalId)];
    return ranked
      .map((id) => [id, this.#staleMinutes(id)] as const)
      .filter(([, minutes]) => minutes !== undefined)
      .map(
        ([id, minutes]) =>
          `; occupancy of ${id} unknown (latest reading ${minutes} min ago), counted as full`,
      )
      .join('');
  }

  /** The age in whole minutes of a hospital's latest occupancy reading when too old to count. */
  #staleMinutes(hospitalId: string): number | undefined {
    const occupancy = this.#hospitals.occupancy(hospitalId);
    if (occupancy.status !== 'stale' || occupancy.readingMillis === null) return undefined;
    return Math.round((this.#options.nowMillis() - occupancy.readingMillis) / 60_000);
  }

  /**
   * Sends an ambulance where `recommend` says: it counts as en route there (so later choices see
   * it) until its patient is admitted, the trip is ended, or twice its travel time and ten minutes
   * have passed (at most `maxTripMinutes`).
   */
  async dispatch(lat: number, lon: number, level: Level): Promise<DispatchOutcome> {
    const chosen = await this.recommend(lat, lon, level);
    if (!chosen.ok) return chosen;
    const options = this.#options;
    const now = options.nowMillis();
    const countedMinutes = Math.min(2 * chosen.travelMinutes + 10, options.maxTripMinutes);
    // Unique across the processes of a cluster.
    const tripId = `t${now}-${++this.#sequence}-${this.#instance}`;
    const countsUntilMillis = now + countedMinutes * 60_000;
    // Stored before the answer: an acknowledged dispatch keeps counting across a restart.
    await options.trips.add({
      id: tripId,
      hospital: chosen.hospital,
      level,
      sentMillis: now,
      untilMillis: countsUntilMillis,
      arrivesMillis: now + chosen.travelMinutes * 60_000,
    });
    this.#recent.unshift({ ts: now, tripId, level, lat, lon, recommendation: chosen });
    this.#recent.length = Math.min(this.#recent.length, options.recentLimit);
    await this.#publish('ems-dispatch', chosen.hospital, {
      trip: tripId,
      level,
      lat,
      lon,
      expectedMinutes: chosen.expectedMinutes,
      reason: chosen.reason,
    });
    return { ...chosen, tripId, countsUntilMillis };
  }

  /** The ambulances dispatched that still count as en route, whichever process sent them. */
  dispatches(): Promise<AmbulanceTrip[]> {
    return this.#options.trips.current(this.#options.nowMillis());
  }

  /** A trip is over (arrived, diverted, stood down): false when no such trip counts. */
  async endDispatch(tripId: string): Promise<boolean> {
    const trip = await this.#options.trips.end(tripId, this.#options.nowMillis());
    if (trip === undefined) return false;
    await this.#publish('ems-dispatch-ended', trip.hospital, { trip: tripId, level: trip.level });
    return true;
  }

  recent(): readonly RecommendationRecord[] {
    return this.#recent;
  }

  async #publish(type: string, asset: string, data: Record<string, unknown>): Promise<void> {
    await this.#options.bus.publish('events', { type, ts: this.#options.nowMillis(), asset, data });
  }

  /** The hospitals with their occupancy and the queues as the store holds them now. */
  async #boardWithQueues(): Promise<EmergencyBoard> {
    await this.#hospitals.sync();
    return this.#withQueues();
  }

  /** `#boardWithQueues` for a caller that has just synced the hospitals. */
  async #withQueues(): Promise<EmergencyBoard> {
    const statuses = (await this.#hospitals.board()).statuses();
    const waiting = await this.#options.queues.waiting();
    const board = new EmergencyBoard(statuses.map((status) => status.hospital));
    for (const status of statuses) board.recordOccupancy(status.hospital.id, status.inTreatment);
    for (const trip of await this.#options.trips.current(this.#options.nowMillis()))
      board.recordIncoming(trip.hospital, trip.level, 1);
    for (const patient of waiting) {
      board.admit(patient.hospital, {
        patientId: patient.patientId,
        level: patient.level,
        arrivalMinutes: patient.arrivalMillis / 60_000,
      });
    }
    return board;
  }
}
