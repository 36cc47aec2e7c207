import { defaultCity } from '../../core/ems/city.ts';
import { travelMinutes } from '../../core/ems/destination.ts';
import { distanceKm, treatmentSlots, type Location } from '../../core/ems/hospital.ts';
import type { Level } from '../../core/triage/presentation.ts';
import { hospitalFromAsset, toLocation } from '../emergency/departments.ts';
import { Arrivals, type ArrivingPatient } from './arrivals.ts';
import type { City } from './city.ts';
import type { EmergencyApi } from './emergency-api.ts';
import type { Random } from './random.ts';

export interface HospitalModelOptions {
  api: EmergencyApi;
  random: Random;
  /** City time at which the model starts. */
  startCityMillis: number;
  /** Prefix of patient ids (unique per run). */
  idPrefix: string;
  /** Calls to the platform per step at most, besides the one occupancy batch. */
  requestsPerStep?: number;
  /** Patients waiting to be registered beyond which newcomers go to another city's hospitals. */
  doorLimit?: number;
  log(line: string): void;
}

/** Where every patient who arrived is; `arrived` is always the sum of the rest. */
export interface PatientCounts {
  arrived: number;
  /** Arrived, not yet registered with the platform (the call budget of a step was spent). */
  atDoor: number;
  /** Ambulance patients on their way to the hospital the platform chose for them. */
  enRoute: number;
  /** Registered and waiting in a platform queue. */
  queued: number;
  inTreatment: number;
  done: number;
  /** Turned away: the door was full, or the platform refused the patient three times. */
  turnedAway: number;
  /** Queued, but the platform no longer had them when the department called. */
  lost: number;
  /**
   * Not this run's patients: left waiting in the platform's (stored) queues by an earlier run of
   * the demo, called in and treated like any other. Outside the counts above.
   */
  carriedOver: number;
}

interface Department {
  id: string;
  location: Location;
  slots: number;
  occupancySensor: string | undefined;
  /** Treatment end (city milliseconds) by patient id. */
  treating: Map<string, number>;
  /** Acuity of this model's patients waiting in the platform's queue, by id. */
  queued: Map<string, Level>;
  /** Patients in `treating` that an earlier run left in the platform's queue. */
  carried: Set<string>;
}

const minuteMillis = 60_000;
/** A patient the platform refuses this many times is turned away (at the door or on arrival). */
const refusalsAllowed = 3;
const dayMillis = 86_400_000;

/** An ambulance on its way: admitted at `department` once it arrives. */
interface Trip {
  patient: ArrivingPatient;
  department: Department;
  arrivesCityMillis: number;
  attempts: number;
}

/**
 * The demo city's emergency departments as the world: patients arrive and are treated, while the
 * platform does the triage, queueing and destination choice through its public API, exactly as real
 * hospitals and ambulance crews would use it. Each `step` advances city time, then makes at most
 * `requestsPerStep` calls: free treatment spaces call the next patient in, patients at the door are
 * registered (walk-ins at the nearest hospital; ambulances triaged by the crew and sent where the
 * platform recommends), and each hospital's patients in treatment go out as an occupancy reading.
 * A failing call is logged and the step goes on; `step` never rejects.
 */
export class HospitalModel {
  private readonly options: Required<HospitalModelOptions>;
  private readonly departments: Department[];
  private readonly arrivals: Arrivals;
  private readonly door: { patient: ArrivingPatient; attempts: number }[] = [];
  private readonly trips: Trip[] = [];
  private readonly referenceLatitude: number;
  private cityMillis: number;
  private readonly counts = { arrived: 0, done: 0, turnedAway: 0, lost: 0, carriedOver: 0 };
  private failures: string[] = [];

  constructor(city: City, options: HospitalModelOptions) {
    this.options = { requestsPerStep: 36, doorLimit: 200, ...options };
    if (!(this.options.requestsPerStep >= 4)) throw new RangeError('requestsPerStep must be ≥ 4');
    this.referenceLatitude = city.centre.lat;
    this.cityMillis = options.startCityMillis;
    this.departments = city.assets.flatMap((asset) => {
      const hospital = hospitalFromAsset(asset, this.referenceLatitude);
      if (hospital === undefined) return [];
      const sensor = city.sensors.find(
        (entry) => entry.sensor.asset === asset.id && entry.sensor.kind === 'occupancy',
      );
      return [
        {
          id: hospital.id,
          location: hospital.location,
          slots: treatmentSlots(hospital),
          occupancySensor: sensor?.sensor.id,
          treating: new Map(),
          queued: new Map(),
          carried: new Set(),
        },
      ];
    });
    if (this.departments.length === 0) throw new Error('the city has no located hospital');
    this.arrivals = new Arrivals(
      {
        centre: city.centre,
        hospitalCount: this.departments.length,
        idPrefix: options.idPrefix,
        // The reference city's spread, or wider in a large city, so outer hospitals see patients too.
        spreadKm: Math.max(defaultCity.demandSpreadKm, (city.gridSize * city.spacingMetres) / 4000),
      },
      options.random,
    );
  }

  /**
   * Advances the world to `cityMillis` (at most a day per call), then talks to the platform. The
   * occupancy readings are timed by `sentAt` (the wall clock as they go out, after this step's calls:
   * the platform counts a call made after a reading's time on top of it); `wallMillis` by default.
   */
  async step(cityMillis: number, wallMillis: number, sentAt: () => number = () => wallMillis): Promise<void> {
    this.advance(cityMillis);
    let budget = this.options.requestsPerStep;
    budget = await this.callIn(budget);
    budget = await this.arrive(budget);
    budget = await this.register(budget);
    await this.callIn(budget);
    await this.reportOccupancy(Math.max(wallMillis, sentAt()));
    if (this.failures.length > 0) {
      this.options.log(
        `demo: ${this.failures.length} emergency call(s) failed, first: ${this.failures[0] ?? ''}`,
      );
      this.failures = [];
    }
  }

  patientCounts(): PatientCounts {
    let queued = 0;
    let inTreatment = 0;
    for (const department of this.departments) {
      queued += department.queued.size;
      inTreatment += department.treating.size - department.carried.size;
    }
    return { ...this.counts, atDoor: this.door.length, enRoute: this.trips.length, queued, inTreatment };
  }

  private advance(cityMillis: number): void {
    const limit = Math.min(cityMillis, this.cityMillis + dayMillis);
    while (this.cityMillis + minuteMillis <= limit) {
      this.cityMillis += minuteMillis;
      for (const department of this.departments) {
        for (const [patientId, endMillis] of department.treating) {
          if (endMillis > this.cityMillis) continue;
          department.treating.delete(patientId);
          if (!department.carried.delete(patientId)) this.counts.done += 1;
        }
      }
      for (const patient of this.arrivals.minute(this.cityMillis)) {
        this.counts.arrived += 1;
        if (this.door.length >= this.options.doorLimit) this.counts.turnedAway += 1;
        else this.door.push({ patient, attempts: 0 });
      }
    }
    if (cityMillis > limit) this.cityMillis = cityMillis;
  }

  /** Free treatment spaces call the next patient in; returns the budget left. */
  private async callIn(budget: number): Promise<number> {
    let left = budget;
    for (const department of this.departments) {
      while (left > 0 && department.treating.size < department.slots && department.queued.size > 0) {
        left -= 1;
        const called = await this.attempt(`next at ${department.id}`, () =>
          this.options.api.callNext(department.id),
        );
        if (called === undefined) break;
        if (called === null) {
          this.counts.lost += department.queued.size;
          department.queued.clear();
          break;
        }
        const acuity = department.queued.get(called.patientId);
        if (acuity === undefined) {
          department.carried.add(called.patientId);
          this.counts.carriedOver += 1;
        }
        department.queued.delete(called.patientId);
        department.treating.set(
          called.patientId,
          this.cityMillis + this.treatmentMillis(acuity ?? called.level),
        );
      }
    }
    return left;
  }

  /** Registers patients at the door, first come first served, while the budget lasts. */
  private async register(budget: number): Promise<number> {
    let left = budget;
    for (;;) {
      const waiting = this.door[0];
      const cost = waiting?.patient.by === 'ambulance' ? 2 : 1;
      if (waiting === undefined || cost > left) return left;
      this.door.shift();
      left -= cost;
      const admitted = await this.admit(waiting.patient);
      if (admitted) continue;
      waiting.attempts += 1;
      if (waiting.attempts >= refusalsAllowed) this.counts.turnedAway += 1;
      else this.door.unshift(waiting);
      return left; // the platform is refusing: try again next step
    }
  }

  /**
   * A walk-in is admitted at the nearest hospital. An ambulance crew triages, asks the platform where
   * to go and sets off: the patient is admitted there on arrival (`arrive`).
   */
  private async admit(patient: ArrivingPatient): Promise<boolean> {
    const { api } = this.options;
    const nearest = this.nearest(patient);
    if (patient.by === 'walk-in') return this.admitAt(nearest, patient);
    const crewLevel = await this.attempt(`triage of ${patient.patientId}`, () =>
      api.triage(patient.presentation),
    );
    if (crewLevel === undefined) return false;
    const { lat, lon } = patient.position;
    const chosen = await this.attempt(`destination of ${patient.patientId}`, () =>
      api.destination(lat, lon, crewLevel),
    );
    if (chosen === undefined) return false;
    const department = this.departments.find((candidate) => candidate.id === chosen) ?? nearest;
    const from = toLocation(lat, lon, this.referenceLatitude);
    // The reference city's ambulance speed and road factor, the platform's defaults too.
    const minutes = travelMinutes(from, department.location, defaultCity);
    this.trips.push({
      patient,
      department,
      arrivesCityMillis: this.cityMillis + minutes * minuteMillis,
      attempts: 0,
    });
    return true;
  }

  /** Ambulances that have arrived hand their patients over, one call each, while the budget lasts. */
  private async arrive(budget: number): Promise<number> {
    let left = budget;
    for (let index = 0; index < this.trips.length && left > 0;) {
      const trip = this.trips[index] as Trip;
      if (trip.arrivesCityMillis > this.cityMillis) {
        index += 1;
        continue;
      }
      left -= 1;
      if (await this.admitAt(trip.department, trip.patient)) {
        this.trips.splice(index, 1);
        continue;
      }
      trip.attempts += 1;
      if (trip.attempts >= refusalsAllowed) {
        this.trips.splice(index, 1);
        this.counts.turnedAway += 1;
      }
      return left; // the platform is refusing: try again next step
    }
    return left;
  }

  private async admitAt(department: Department, patient: ArrivingPatient): Promise<boolean> {
    const level = await this.attempt(`admission of ${patient.patientId} at ${department.id}`, () =>
      this.options.api.admit(department.id, patient.patientId, patient.presentation),
    );
    if (level === undefined) return false;
    department.queued.set(patient.patientId, patient.acuity);
    return true;
  }

  private async reportOccupancy(wallMillis: number): Promise<void> {
    const readings = this.departments.flatMap((department) =>
      department.occupancySensor === undefined
        ? []
        : [{ sensor: department.occupancySensor, ts: wallMillis, value: department.treating.size }],
    );
    if (readings.length === 0) return;
    const result = await this.attempt('occupancy readings', () => this.options.api.ingest(readings));
    if (result !== undefined && !result.ok) this.failures.push(`occupancy readings: ${result.reason}`);
  }

  /** Runs one call; a failure is recorded for the step's log line and answers undefined. */
  private async attempt<T>(what: string, call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await call();
    } catch (error) {
      this.failures.push(`${what}: ${(error as Error).message}`);
      return undefined;
    }
  }

  private nearest(patient: ArrivingPatient): Department {
    const where = toLocation(patient.position.lat, patient.position.lon, this.referenceLatitude);
    let best = this.departments[0] as Department;
    for (const department of this.departments)
      if (distanceKm(where, department.location) < distanceKm(where, best.location)) best = department;
    return best;
  }

  /** Treatment time by true acuity (reference city's means), uniform from half to one and a half. */
  private treatmentMillis(acuity: Level): number {
    const meanMinutes = defaultCity.treatmentMinutesByLevel[acuity - 1] ?? 60;
    return meanMinutes * (0.5 + this.options.random.next()) * minuteMillis;
  }
}
