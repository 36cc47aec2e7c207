import type { DuckDBConnection } from '@duckdb/node-api';
import { isLevel } from '../../core/triage/presentation.ts';
import type { CalledPatient, PatientQueueStore, QueuedPatient } from '../../ports/patient-queues.ts';
import type { Database } from './database.ts';
import { Serial } from '../../core/serial.ts';
import { inTransaction } from './transaction.ts';

const schema =
  'CREATE TABLE IF NOT EXISTS emergency_queue (hospital VARCHAR NOT NULL, patient VARCHAR NOT NULL, ' +
  'level UTINYINT NOT NULL, arrival_millis DOUBLE NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (hospital, patient))';

/** Patients called in, kept while they count in treatment; added to files made before calls were kept. */
const calledSchema =
  'CREATE TABLE IF NOT EXISTS emergency_calls (hospital VARCHAR NOT NULL, patient VARCHAR NOT NULL, ' +
  'level UTINYINT NOT NULL, arrival_millis DOUBLE NOT NULL, called_millis DOUBLE NOT NULL, seq BIGINT NOT NULL)';

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
 * Emergency queues in the platform's DuckDB file: each admission, call and withdrawal is committed
 * before it is acknowledged, so a restart (or `kill -9`) keeps every queue and every call.
 * Statements are serialised on one connection; a call takes the patient from the queue and records
 * the call in one transaction.
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
    await connection.run(calledSchema);
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

  takeNext(hospital: string, calledMillis: number): Promise<QueuedPatient | undefined> {
    return this.#serial.run(async () => {
      let taken: QueuedPatient | undefined;
      await inTransaction(this.#connection, async () => {
        const reader = await this.#connection.runAndReadAll(
          `DELETE FROM emergency_queue WHERE hospital = $1 AND patient = (SELECT patient FROM emergency_queue
             WHERE hospital = $1 ORDER BY level, arrival_millis, seq LIMIT 1) RETURNING ${columns}`,
          [hospital],
        );
        const row = reader.getRows()[0];
        taken = row === undefined ? undefined : toPatient(row);
        if (taken === undefined) return;
        await this.#connection.run(
          `INSERT INTO emergency_calls SELECT $1, $2, $3, $4, $5, coalesce(max(seq), -1) + 1 FROM emergency_calls`,
          [taken.hospital, taken.patientId, taken.level, taken.arrivalMillis, calledMillis],
        );
      });
      return taken;
    });
  }

  called(sinceMillis: number): Promise<CalledPatient[]> {
    return this.#serial.run(async () => {
      const reader = await this.#connection.runAndReadAll(
        `SELECT ${columns}, called_millis FROM emergency_calls ORDER BY seq`,
      );
      const rows = reader.getRows().map((row) => ({ patient: toPatient(row), calledMillis: Number(row[4]) }));
      // Written only when a call has expired: looking at the departments costs no write otherwise.
      if (rows.some((row) => row.calledMillis < sinceMillis))
        await this.#connection.run('DELETE FROM emergency_calls WHERE called_millis < $1', [sinceMillis]);
      return rows.flatMap(({ patient, calledMillis }) =>
        patient === undefined || calledMillis < sinceMillis ? [] : [{ ...patient, calledMillis }],
      );
    });
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
