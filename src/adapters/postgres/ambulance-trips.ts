import type pg from 'pg';
import { isLevel, type Level } from '../../core/triage/presentation.ts';
import type { AmbulanceTrip, AmbulanceTripStore } from '../../ports/ambulance-trips.ts';

interface Row {
  id: string;
  hospital: string;
  level: number;
  sent_millis: number;
  until_millis: number;
  arrives_millis: number | null;
}

const columns = 'id, hospital, level, sent_millis, until_millis, arrives_millis';

function toTrip(row: Row): AmbulanceTrip | undefined {
  if (!isLevel(row.level)) return undefined;
  const trip: AmbulanceTrip = {
    id: row.id,
    hospital: row.hospital,
    level: row.level,
    sentMillis: row.sent_millis,
    untilMillis: row.until_millis,
  };
  if (row.arrives_millis !== null) trip.arrivesMillis = row.arrives_millis;
  return trip;
}

/**
 * Ambulances en route in PostgreSQL, shared by every API process of a cluster: a trip sent by one
 * is counted, ended or met on arrival by any other. Ending a trip on arrival locks its row and skips
 * rows another process holds, so two admissions never end the same trip.
 */
export class PostgresAmbulanceTrips implements AmbulanceTripStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async current(nowMillis: number): Promise<AmbulanceTrip[]> {
    const result = await this.#pool.query<Row>(
      `SELECT ${columns} FROM ambulance_trips WHERE until_millis > $1 ORDER BY seq`,
      [nowMillis],
    );
    return result.rows.flatMap((row) => toTrip(row) ?? []);
  }

  async add(trip: AmbulanceTrip): Promise<void> {
    await this.#pool.query('DELETE FROM ambulance_trips WHERE until_millis <= $1', [trip.sentMillis]);
    await this.#pool.query(`INSERT INTO ambulance_trips (${columns}) VALUES ($1, $2, $3, $4, $5, $6)`, [
      trip.id,
      trip.hospital,
      trip.level,
      trip.sentMillis,
      trip.untilMillis,
      trip.arrivesMillis ?? null,
    ]);
  }

  async end(id: string, nowMillis: number): Promise<AmbulanceTrip | undefined> {
    const result = await this.#pool.query<Row>(
      `DELETE FROM ambulance_trips WHERE id = $1 AND until_millis > $2 RETURNING ${columns}`,
      [id, nowMillis],
    );
    const row = result.rows[0];
    return row === undefined ? undefined : toTrip(row);
  }

  async arrived(hospital: string, level: Level, nowMillis: number): Promise<AmbulanceTrip | undefined> {
    const result = await this.#pool.query<Row>(
      `DELETE FROM ambulance_trips WHERE id = (SELECT id FROM ambulance_trips
         WHERE hospital = $1 AND until_millis > $3
         ORDER BY (level = $2) DESC, coalesce(arrives_millis, until_millis), seq LIMIT 1
         FOR UPDATE SKIP LOCKED)
       RETURNING ${columns}`,
      [hospital, level, nowMillis],
    );
    const row = result.rows[0];
    return row === undefined ? undefined : toTrip(row);
  }
}
