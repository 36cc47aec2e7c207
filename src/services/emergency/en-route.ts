import type { Level } from '../../core/triage/presentation.ts';

/** An ambulance dispatched to a hospital, until its patient is admitted, it is cancelled, or overdue. */
export interface Trip {
  id: string;
  hospital: string;
  level: Level;
  sentMillis: number;
  /** Forgotten after this: the crew went elsewhere. */
  untilMillis: number;
}

/**
 * Ambulances on their way to the hospitals they were dispatched to: they will queue ahead of a
 * later patient of the same or a lower level, so the destination choice counts them, as the
 * simulation behind the destination policy does.
 */
export class AmbulancesEnRoute {
  #trips: Trip[] = [];

  /** An ambulance sets off; it counts until `trip.untilMillis` unless it arrives or is cancelled first. */
  send(trip: Trip): void {
    this.#trips.push(trip);
  }

  /** The trip is over (arrived, diverted or stood down): false when no such trip is counted. */
  end(id: string): boolean {
    const index = this.#trips.findIndex((trip) => trip.id === id);
    if (index >= 0) this.#trips.splice(index, 1);
    return index >= 0;
  }

  /** A patient arriving by ambulance was admitted: the one sent there at that level (else the earliest) arrived. */
  arrived(hospital: string, level: Level): void {
    let index = this.#trips.findIndex((trip) => trip.hospital === hospital && trip.level === level);
    if (index < 0) index = this.#trips.findIndex((trip) => trip.hospital === hospital);
    if (index >= 0) this.#trips.splice(index, 1);
  }

  /** The ambulances still on their way at `nowMillis` (overdue ones are forgotten). */
  current(nowMillis: number): readonly Trip[] {
    this.#trips = this.#trips.filter((trip) => trip.untilMillis > nowMillis);
    return this.#trips;
  }
}
