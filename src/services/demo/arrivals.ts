import { defaultCity, ktasLevelCounts } from '../../core/ems/city.ts';
import type { Level, Presentation } from '../../core/triage/presentation.ts';
import { offset, type LatLon } from './geo.ts';
import { cityTime, dailyRhythm } from './kinds.ts';
import { synthesisePresentation } from './presentations.ts';
import type { Random } from './random.ts';

/** A patient of the demo city needing an emergency department. */
export interface ArrivingPatient {
  patientId: string;
  /** The true acuity: the world knows it, the platform only sees the presentation. */
  acuity: Level;
  by: 'walk-in' | 'ambulance';
  presentation: Presentation;
  /** Where the patient is: home for an ambulance call, the start of the trip for a walk-in. */
  position: LatLon;
  arrivedCityMillis: number;
}

export interface ArrivalOptions {
  centre: LatLon;
  /** Hospitals in the city: arrival rates scale with them (one per 4 of the reference city's rates). */
  hospitalCount: number;
  /** Prefix of patient ids, so a restarted demo never reuses an id the platform still queues. */
  idPrefix: string;
  /** Standard deviation of where patients are, per axis, around the centre. */
  spreadKm: number;
}

/**
 * Patients arriving minute by minute of city time: Poisson walk-ins and ambulance calls at the
 * reference city's rates (`core/ems/city.ts`) following the daily rhythm, true acuity drawn from the
 * KTAS level mix of each arrival mode (Moon et al.), demand spread normally around the centre.
 */
export class Arrivals {
  private readonly options: ArrivalOptions;
  private readonly random: Random;
  private count = 0;

  constructor(options: ArrivalOptions, random: Random) {
    if (!(options.hospitalCount >= 1)) throw new RangeError('hospitalCount must be ≥ 1');
    if (!(options.spreadKm > 0)) throw new RangeError('spreadKm must be > 0');
    this.options = options;
    this.random = random;
  }

  /** The patients arriving in the city minute that starts at `cityMillis`. */
  minute(cityMillis: number): ArrivingPatient[] {
    const hour = cityTime.hourOfDay(cityMillis);
    const load = 0.75 + 0.45 * dailyRhythm(hour);
    const scale = Math.max(1, this.options.hospitalCount / 4) * 1.4 * load;
    const patients: ArrivingPatient[] = [];
    for (let n = this.poisson((defaultCity.walkInsPerHour * scale) / 60); n > 0; n -= 1)
      patients.push(this.patient('walk-in', cityMillis));
    for (let n = this.poisson((defaultCity.ambulancesPerHour * scale) / 60); n > 0; n -= 1)
      patients.push(this.patient('ambulance', cityMillis));
    return patients;
  }

  private patient(by: ArrivingPatient['by'], cityMillis: number): ArrivingPatient {
    this.count += 1;
    const acuity = this.level(by === 'ambulance' ? ktasLevelCounts.ambulance : ktasLevelCounts.walkIn);
    const mode =
      by === 'ambulance' ? 'public-ambulance' : this.random.next() < 0.3 ? 'private-vehicle' : 'walk';
    const spreadMetres = this.options.spreadKm * 1000;
    return {
      patientId: `${this.options.idPrefix}-${String(this.count).padStart(6, '0')}`,
      acuity,
      by,
      presentation: synthesisePresentation(acuity, mode, this.random),
      position: offset(
        this.options.centre,
        this.random.normal() * spreadMetres,
        this.random.normal() * spreadMetres,
      ),
      arrivedCityMillis: cityMillis,
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
