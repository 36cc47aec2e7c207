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

  #take(nowMillis: number, matches: (trip: AmbulanceTrip) => boolean): AmbulanceTrip | undefined {
    const index = this.#trips.findIndex((trip) => trip.untilMillis > nowMillis && matches(trip));
    return index < 0 ? undefined : this.#trips.splice(index, 1)[0];
  }
}
