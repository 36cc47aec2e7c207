import { defaultCity, ktasLevelCounts } from '../../core/ems/city.ts';
import { recommendDestination, travelMinutes, type DestinationOptions } from '../../core/ems/destination.ts';
import {
  treatmentSlots,
  type Hospital,
  type HospitalStatus,
  type Location,
} from '../../core/ems/hospital.ts';
import { EmergencyQueue } from '../../core/ems/queue.ts';
import type { Level } from '../../core/triage/presentation.ts';
import type { City } from './city.ts';
import { dailyRhythm } from './kinds.ts';
import type { Random } from './random.ts';
import type { HospitalsSnapshot } from './views.ts';

interface Department {
  hospital: Hospital;
  queue: EmergencyQueue;
  /** Treatment end times (city milliseconds) of the patients being treated. */
  treating: number[];
  /** Arrival time of each waiting patient, for the mean wait. */
  arrivals: Map<string, number>;
}

const minuteMillis = 60_000;
const recentRecommendations = 30;

/**
 * The city's emergency departments, minute by minute of city time: walk-ins go to the nearest,
 * ambulance patients where the EMS engine (`core/ems`) expects the earliest treatment; patients
 * are seen by triage level (KTAS mix of the Moon et al. data), then arrival. Rates follow the
 * city's daily rhythm.
 */
export class HospitalModel {
  private readonly departments: Department[];
  private readonly random: Random;
  private readonly options: DestinationOptions;
  private readonly recommendations: HospitalsSnapshot['recommendations'] = [];
  private readonly centre: { lat: number; lon: number };
  private cityMillis: number;
  private patients = 0;

  constructor(city: City, random: Random, startMillis: number) {
    this.random = random;
    this.centre = city.centre;
    this.cityMillis = startMillis;
    this.options = {
      speedKmPerHour: defaultCity.speedKmPerHour,
      roadFactor: defaultCity.roadFactor,
      meanTreatmentMinutes: 60,
    };
    this.departments = city.assets
      .filter((asset) => asset.type === 'hospital')
      .map((asset) => {
        const spaces = 8 + random.index(12);
        const hospital: Hospital = {
          id: asset.id,
          name: asset.name,
          location: this.location(asset.lat ?? city.centre.lat, asset.lon ?? city.centre.lon),
          treatmentSpaces: spaces,
          doctorsOnShift: Math.max(4, spaces - random.index(3)),
        };
        return { hospital, queue: new EmergencyQueue(), treating: [], arrivals: new Map() };
      });
  }

  /** Advances the model to `cityMillis`, one simulated minute at a time (at most a day per call). */
  advanceTo(cityMillis: number): void {
    const limit = Math.min(cityMillis, this.cityMillis + 86_400_000);
    while (this.cityMillis + minuteMillis <= limit) {
      this.cityMillis += minuteMillis;
      this.minute();
    }
    if (cityMillis > limit) this.cityMillis = cityMillis;
  }

  snapshot(wallNow: number): HospitalsSnapshot {
    return {
      hospitals: this.departments.map((department) => {
        const status = this.status(department);
        const waiting = [...department.arrivals.values()];
        const waitMinutes =
          waiting.length === 0
            ? 0
            : waiting.reduce((sum, at) => sum + (this.cityMillis - at), 0) / waiting.length / minuteMillis;
        return {
          id: department.hospital.id,
          name: department.hospital.name,
          beds: treatmentSlots(department.hospital),
          inTreatment: status.inTreatment,
          queueByLevel: [...status.waitingByLevel],
          waitMinutes,
        };
      }),
      recommendations: this.recommendations.map((entry) => ({ ...entry, ts: Math.min(entry.ts, wallNow) })),
    };
  }

  private minute(): void {
    const hour = (this.cityMillis / 3_600_000) % 24;
    const load = 0.75 + 0.45 * dailyRhythm(hour);
    const scale = Math.max(1, this.departments.length / 4);
    for (const department of this.departments) this.treat(department);
    for (
      let count = this.poisson(((defaultCity.walkInsPerHour * load * scale) / 60) * 1.4);
      count > 0;
      count -= 1
    ) {
      this.walkIn(this.level(ktasLevelCounts.walkIn));
    }
    for (
      let count = this.poisson(((defaultCity.ambulancesPerHour * load * scale) / 60) * 1.4);
      count > 0;
      count -= 1
    ) {
      this.ambulance(this.level(ktasLevelCounts.ambulance));
    }
  }

  private treat(department: Department): void {
    department.treating = department.treating.filter((end) => end > this.cityMillis);
    while (department.treating.length < treatmentSlots(department.hospital)) {
      const next = department.queue.next();
      if (next === undefined) break;
      department.arrivals.delete(next.patientId);
      const minutes =
        (defaultCity.treatmentMinutesByLevel[next.level - 1] ?? 60) * (0.5 + this.random.next());
      department.treating.push(this.cityMillis + minutes * minuteMillis);
    }
  }

  private walkIn(level: Level): void {
    const where = this.patientLocation();
    const nearest = this.nearest(where);
    this.admit(nearest, level);
  }

  private ambulance(level: Level): void {
    const where = this.patientLocation();
    const statuses = this.departments.map((department) => this.status(department));
    const recommendation = recommendDestination({ location: where, level }, statuses, this.options);
    const nearest = this.nearest(where);
    const chosen = recommendation.ok
      ? (this.departments.find((department) => department.hospital.id === recommendation.hospital) ?? nearest)
      : nearest;
    const patient = this.admit(chosen, level);
    this.recommendations.unshift({
      ts: Date.now(),
      patient,
      level,
      hospital: chosen.hospital.name,
      nearest: nearest.hospital.name,
      travelMinutes: travelMinutes(where, chosen.hospital.location, this.options),
      expectedMinutes: recommendation.ok ? recommendation.expectedMinutes : Number.NaN,
    });
    if (this.recommendations.length > recentRecommendations)
      this.recommendations.length = recentRecommendations;
  }

  private admit(department: Department, level: Level): string {
    this.patients += 1;
    const patient = `P${String(this.patients).padStart(5, '0')}`;
    department.queue.add({ patientId: patient, level, arrivalMinutes: this.cityMillis / minuteMillis });
    department.arrivals.set(patient, this.cityMillis);
    this.treat(department);
    return patient;
  }

  private status(department: Department): HospitalStatus {
    return {
      hospital: department.hospital,
      inTreatment: department.treating.length,
      waitingByLevel: department.queue.countsByLevel(),
    };
  }

  private nearest(where: Location): Department {
    let best = this.departments[0] as Department;
    for (const department of this.departments) {
      if (
        travelMinutes(where, department.hospital.location, this.options) <
        travelMinutes(where, best.hospital.location, this.options)
      )
        best = department;
    }
    return best;
  }

  private patientLocation(): Location {
    return {
      xKm: this.random.normal() * defaultCity.demandSpreadKm,
      yKm: this.random.normal() * defaultCity.demandSpreadKm,
    };
  }

  private location(lat: number, lon: number): Location {
    return {
      xKm: (lon - this.centre.lon) * 111.32 * Math.cos((this.centre.lat * Math.PI) / 180),
      yKm: (lat - this.centre.lat) * 111.32,
    };
  }

  private level(counts: readonly number[]): Level {
    const total = counts.reduce((sum, count) => sum + count, 0);
    let pick = this.random.next() * total;
    for (let index = 0; index < counts.length; index += 1) {
      pick -= counts[index] as number;
      if (pick < 0) return (index + 1) as Level;
    }
    return 5;
  }

  private poisson(mean: number): number {
    let count = 0;
    let product = this.random.next();
    const limit = Math.exp(-mean);
    while (product > limit) {
      count += 1;
      product *= this.random.next();
    }
    return count;
  }
}
