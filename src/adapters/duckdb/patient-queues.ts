import type { DuckDBConnection } from '@duckdb/node-api';
import { isLevel } from '../../core/triage/presentation.ts';
import type { PatientQueueStore, QueuedPatient } from '../../ports/patient-queues.ts';
import type { Database } from './database.ts';
import { Serial } from './serial.ts';

const schema =
  'CREATE TABLE IF NOT EXISTS emergency_queue (hospital VARCHAR NOT NULL, patient VARCHAR NOT NULL, ' +
  'level UTINYINT NOT NULL, arrival_millis DOUBLE NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (hospital, patient))';

const columns = 'hospital, patient, level, arrival_millis';

function toPatient(row: readonly unknown[]): QueuedPatient | undefined {
  const [hospital, patientId, level, arrival] = row;
  const numeric = Number(level);
  if (!isLevel(numeric)) return undefined;
  return {
    hospital: String(hospital),
    patientId: String(patientId),
    level: numeric,
    arrivalMillis: Number(arrival),
  };
}

/**
 * Emergency queues in the platform's DuckDB file: each admission, call and withdrawal is its own
 * committed statement before it is acknowledged, so a restart (or `kill -9`) keeps every queue.
 * Statements are serialised on one connection, which also makes `takeNext` atomic.
 */
export class DuckDbPatientQueues implements PatientQueueStore {
  readonly #connection: DuckDBConnection;
  readonly #serial = new Serial();
  #nextSequence: number;

  private constructor(connection: DuckDBConnection, nextSequence: number) {
    this.#connection = connection;
    this.#nextSequence = nextSequence;
  }

  static async open(database: Database): Promise<DuckDbPatientQueues> {
    const connection = await database.connect();
    await connection.run(schema);
    const reader = await connection.runAndReadAll('SELECT coalesce(max(seq), -1) + 1 FROM emergency_queue');
    return new DuckDbPatientQueues(connection, Number(reader.getRows()[0]?.[0] ?? 0));
  }

  async waiting(): Promise<QueuedPatient[]> {
    const reader = await this.#serial.run(() =>
      this.#connection.runAndReadAll(`SELECT ${columns} FROM emergency_queue ORDER BY seq`),
    );
    return reader.getRows().flatMap((row) => toPatient(row) ?? []);
  }

  add(patient: QueuedPatient): Promise<boolean> {
    return this.#serial.run(async () => {
      const reader = await this.#connection.runAndReadAll(
        `INSERT INTO emergency_queue VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING patient`,
        [patient.hospital, patient.patientId, patient.level, patient.arrivalMillis, this.#nextSequence],
      );
      const added = reader.getRows().length > 0;
      if (added) this.#nextSequence += 1;
      return added;
    });
  }

  async takeNext(hospital: string): Promise<QueuedPatient | undefined> {
    const reader = await this.#serial.run(() =>
      this.#connection.runAndReadAll(
        `DELETE FROM emergency_queue WHERE hospital = $1 AND patient = (SELECT patient FROM emergency_queue
           WHERE hospital = $1 ORDER BY level, arrival_millis, seq LIMIT 1) RETURNING ${columns}`,
        [hospital],
      ),
    );
    const row = reader.getRows()[0];
    return row === undefined ? undefined : toPatient(row);
  }

  async withdraw(hospital: string, patientId: string): Promise<boolean> {
    const reader = await this.#serial.run(() =>
      this.#connection.runAndReadAll(
        'DELETE FROM emergency_queue WHERE hospital = $1 AND patient = $2 RETURNING patient',
        [hospital, patientId],
      ),
    );
    return reader.getRows().length > 0;
  }

  async close(): Promise<void> {
    // The connection is closed with the database.
    await this.#serial.idle();
  }
}
