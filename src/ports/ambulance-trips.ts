import type { Level } from '../core/triage/presentation.ts';

/** An ambulance dispatched to a hospital, until its patient is admitted, it is ended, or overdue. */
export interface AmbulanceTrip {
  id: string;
  hospital: string;
  level: Level;
  sentMillis: number;
  /** Counted until then, epoch ms: after it the crew is taken to have gone elsewhere. */
  untilMillis: number;
  /**
   * When it is expected at the hospital (sent + travel time), epoch ms; a trip recorded without
   * one is taken as expected at `untilMillis`.
   */
  arrivesMillis?: number;
}

/**
 * The ambulances on their way to hospitals, kept where they survive a restart and, in a cluster,
 * shared by every API process: they will queue ahead of a later patient of the same or a lower
 * level, so destination choice counts them. A write is durable once its promise resolves, so an
 * acknowledged dispatch is never forgotten. A trip counts while `nowMillis < untilMillis`.
 */
export interface AmbulanceTripStore {
  /** The trips still counted at `nowMillis`, in dispatch order. */
  current(nowMillis: number): Promise<AmbulanceTrip[]>;
  /** Records a dispatch (trip ids are unique). */
  add(trip: AmbulanceTrip): Promise<void>;
  /** Ends a counted trip and returns it; undefined when no such trip counts at `nowMillis`. */
  end(id: string, nowMillis: number): Promise<AmbulanceTrip | undefined>;
  /**
   * A patient arriving by ambulance was admitted at `hospital`: ends the counted trip there at
   * `level` expected first (`arrivesMillis`, then dispatch order), else the one expected first
   * there at any level, and returns it (undefined: none). Two callers never end the same trip.
   * Expected first, not sent first: a crew sent later from nearer arrives before one sent earlier
   * from further away, and ending the further one's trip would stop counting it while it is
   * still on its way (and keep counting the one that arrived until its time ran out).
   */
  arrived(hospital: string, level: Level, nowMillis: number): Promise<AmbulanceTrip | undefined>;
}
