import type { Level } from '../../core/triage/presentation.ts';

/** An ambulance patient sent to a hospital by a recommendation, until admitted there or overdue. */
interface Trip {
  hospital: string;
  level: Level;
  /** Forgotten after this: the crew went elsewhere. */
  untilMillis: number;
}

/**
 * Ambulances on their way to the hospitals the destination choice sent them to: they will queue
 * ahead of a later patient of the same or a lower level, so the choice counts them, as the
 * simulation behind the destination policy does.
 */
export class AmbulancesEnRoute {
  #trips: Trip[] = [];

  /** An ambulance sets off; it counts until `untilMillis` unless it arrives first. */
  send(hospital: string, level: Level, untilMillis: number): void {
    this.#trips.push({ hospital, level, untilMillis });
  }

  /** A patient arriving by ambulance was admitted: the one sent there at that level (else the earliest) arrived. */
  arrived(hospital: string, level: Level): void {
    let index = this.#trips.findIndex((trip) => trip.hospital === hospital && trip.level === level);
    if (index < 0) index = this.#trips.findIndex((trip) => trip.hospital === hospital);
    if (index >= 0) this.#trips.splice(index, 1);
  }

  /** The ambulances still on their way at `nowMillis` (overdue ones are forgotten). */
  current(nowMillis: number): readonly { hospital: string; level: Level }[] {
    this.#trips = this.#trips.filter((trip) => trip.untilMillis > nowMillis);
    return this.#trips;
  }
}
