import type { DuckDBConnection } from '@duckdb/node-api';
import { isLevel, type Level } from '../../core/triage/presentation.ts';
import type { AmbulanceTrip, AmbulanceTripStore } from '../../ports/ambulance-trips.ts';
import type { Database } from './database.ts';
import { Serial } from '../../core/serial.ts';
import { moveTable } from './transaction.ts';

const tripColumns =
  '(id VARCHAR PRIMARY KEY, hospital VARCHAR NOT NULL, level UTINYINT NOT NULL, ' +
  'sent_millis DOUBLE NOT NULL, until_millis DOUBLE NOT NULL, arrives_millis DOUBLE, ' +
  "seq BIGINT NOT NULL DEFAULT nextval('ambulance_trip_order'))";

// Dispatch order is a sequence, kept in the file with the table.
const schema = [
  'CREATE SEQUENCE IF NOT EXISTS ambulance_trip_order',
  `CREATE TABLE IF NOT EXISTS ambulance_trips ${tripColumns}`,
];

/**
 * Files made before trips had an expected arrival: their table is moved to one with the column
 * (their trips have none: NULL); see `moveTable` for why not `ALTER TABLE … ADD COLUMN`.
 */
async function addArrivals(connection: DuckDBConnection): Promise<void> {
  const found = await connection.runAndReadAll(
    `SELECT 1 FROM duckdb_columns() WHERE table_name = 'ambulance_trips'
       AND column_name = 'arrives_millis' AND database_name = current_database()`,
  );
  if (found.currentRowCount > 0) return;
  await moveTable(
    connection,
    'ambulance_trips',
    tripColumns,
    'id, hospital, level, sent_millis, until_millis, seq',
  );
}

const columns = 'id, hospital, level, sent_millis, until_millis, arrives_millis';

function toTrip(row: readonly unknown[]): AmbulanceTrip | undefined {
  const [id, hospital, level, sent, until, arrives] = row;
  const numeric = Number(level);
  if (!isLevel(numeric)) return undefined;
  const trip: AmbulanceTrip = {
    id: String(id),
    hospital: String(hospital),
    level: numeric,
    sentMillis: Number(sent),
    untilMillis: Number(until),
  };
  if (arrives !== null && arrives !== undefined) trip.arrivesMillis = Number(arrives);
  return trip;
}

/**
 * Ambulances en route in the platform's DuckDB file: each dispatch and each end is its own committed
 * statement before it is acknowledged, so a restart (or `kill -9`) keeps every trip. Statements are
 * serialised on one connection, which also makes `arrived` atomic. Overdue trips are deleted as
 * new ones are added.
 */
export class DuckDbAmbulanceTrips implements AmbulanceTripStore {
  readonly #connection: DuckDBConnection;
  readonly #serial = new Serial();

  private constructor(connection: DuckDBConnection) {
    this.#connection = connection;
  }

  static async open(database: Database): Promise<DuckDbAmbulanceTrips> {
    const connection = await database.connect();
    for (const statement of schema) await connection.run(statement);
    await addArrivals(connection);
    return new DuckDbAmbulanceTrips(connection);
  }

  async current(nowMillis: number): Promise<AmbulanceTrip[]> {
    const reader = await this.#serial.run(() =>
      this.#connection.runAndReadAll(
        `SELECT ${columns} FROM ambulance_trips WHERE until_millis > $1 ORDER BY seq`,
        [nowMillis],
      ),
    );
    return reader.getRows().flatMap((row) => toTrip(row) ?? []);
  }

  add(trip: AmbulanceTrip): Promise<void> {
    return this.#serial.run(async () => {
      await this.#connection.run('DELETE FROM ambulance_trips WHERE until_millis <= $1', [trip.sentMillis]);
      await this.#connection.run(`INSERT INTO ambulance_trips (${columns}) VALUES ($1, $2, $3, $4, $5, $6)`, [
        trip.id,
        trip.hospital,
        trip.level,
        trip.sentMillis,
        trip.untilMillis,
        trip.arrivesMillis ?? null,
      ]);
    });
  }

  async end(id: string, nowMillis: number): Promise<AmbulanceTrip | undefined> {
    const reader = await this.#serial.run(() =>
      this.#connection.runAndReadAll(
        `DELETE FROM ambulance_trips WHERE id = $1 AND until_millis > $2 RETURNING ${columns}`,
        [id, nowMillis],
      ),
    );
    const row = reader.getRows()[0];
    return row === undefined ? undefined : toTrip(row);
  }

  async arrived(hospital: string, level: Level, nowMillis: number): Promise<AmbulanceTrip | undefined> {
    const reader = await this.#serial.run(() =>
      this.#connection.runAndReadAll(
        `DELETE FROM ambulance_trips WHERE id = (SELECT id FROM ambulance_trips
           WHERE hospital = $1 AND until_millis > $3
           ORDER BY (level = $2) DESC, coalesce(arrives_millis, until_millis), seq LIMIT 1)
         RETURNING ${columns}`,
        [hospital, level, nowMillis],
      ),
    );
    const row = reader.getRows()[0];
    return row === undefined ? undefined : toTrip(row);
  }

  async close(): Promise<void> {
    // The connection is closed with the database.
    await this.#serial.idle();
  }
}
