import type { Level } from '../../core/triage/presentation.ts';
import type { AmbulanceTrip, AmbulanceTripStore } from '../../ports/ambulance-trips.ts';

/** Ambulances en route in memory (tests, `serve --memory`): a restart forgets them. */
export class MemoryAmbulanceTrips implements AmbulanceTripStore {
  #trips: AmbulanceTrip[] = [];

  async current(nowMillis: number): Promise<AmbulanceTrip[]> {
    this.#trips = this.#trips.filter((trip) => trip.untilMillis > nowMillis);
    return this.#trips.map((trip) => ({ ...trip }));
  }

  async add(trip: AmbulanceTrip): Promise<void> {
    this.#trips.push({ ...trip });
  }

  async end(id: string, nowMillis: number): Promise<AmbulanceTrip | undefined> {
    return this.#take(nowMillis, (trip) => trip.id === id);
  }

  async arrived(hospital: string, level: Level, nowMillis: number): Promise<AmbulanceTrip | undefined> {
    return (
      this.#take(nowMillis, (trip) => trip.hospital === hospital && trip.level === level) ??
      this.#take(nowMillis, (trip) => trip.hospital === hospital)
    );
  }

  /** Ends the counted trip that `matches` expected first (then the first sent). */
  #take(nowMillis: number, matches: (trip: AmbulanceTrip) => boolean): AmbulanceTrip | undefined {
    let best = -1;
    this.#trips.forEach((trip, index) => {
      if (!(trip.untilMillis > nowMillis && matches(trip))) return;
      const earlier = best < 0 || expectedAt(trip) < expectedAt(this.#trips[best] as AmbulanceTrip);
      if (earlier) best = index;
    });
    return best < 0 ? undefined : this.#trips.splice(best, 1)[0];
  }
}

function expectedAt(trip: AmbulanceTrip): number {
  return trip.arrivesMillis ?? trip.untilMillis;
}
