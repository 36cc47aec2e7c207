import type pg from 'pg';
import { isLevel } from '../../core/triage/presentation.ts';
import type { CalledPatient, PatientQueueStore, QueuedPatient } from '../../ports/patient-queues.ts';

interface Row {
  hospital: string;
  patient: string;
  level: number;
  arrival_millis: number;
}

const columns = 'hospital, patient, level, arrival_millis';

function toPatient(row: Row): QueuedPatient | undefined {
  if (!isLevel(row.level)) return undefined;
  return {
    hospital: row.hospital,
    patientId: row.patient,
    level: row.level,
    arrivalMillis: row.arrival_millis,
  };
}

/**
 * Emergency queues and the patients called in from them in PostgreSQL, shared by every API process
 * of a cluster. Taking the next patient locks that row and skips rows another process holds, so two
 * calls never get the same patient; the same statement records the call.
 */
export class PostgresPatientQueues implements PatientQueueStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async waiting(): Promise<QueuedPatient[]> {
    const result = await this.#pool.query<Row>(`SELECT ${columns} FROM emergency_queue ORDER BY seq`);
    return result.rows.flatMap((row) => toPatient(row) ?? []);
  }

  async add(patient: QueuedPatient): Promise<boolean> {
    const result = await this.#pool.query(
      `INSERT INTO emergency_queue (${columns}) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [patient.hospital, patient.patientId, patient.level, patient.arrivalMillis],
    );
    return result.rowCount === 1;
  }

  async takeNext(hospital: string, calledMillis: number): Promise<QueuedPatient | undefined> {
    const result = await this.#pool.query<Row>(
      `WITH taken AS (DELETE FROM emergency_queue WHERE (hospital, patient) = (SELECT hospital, patient
           FROM emergency_queue WHERE hospital = $1 ORDER BY level, arrival_millis, seq LIMIT 1
           FOR UPDATE SKIP LOCKED)
         RETURNING ${columns}),
       recorded AS (INSERT INTO emergency_calls (${columns}, called_millis)
         SELECT ${columns}, $2::double precision FROM taken)
       SELECT ${columns} FROM taken`,
      [hospital, calledMillis],
    );
    const row = result.rows[0];
    return row === undefined ? undefined : toPatient(row);
  }

  async called(sinceMillis: number): Promise<CalledPatient[]> {
    // A DELETE that finds nothing writes nothing: looking at the departments stays a read.
    const result = await this.#pool.query<Row & { called_millis: number }>(
      `WITH expired AS (DELETE FROM emergency_calls WHERE called_millis < $1)
       SELECT ${columns}, called_millis FROM emergency_calls WHERE called_millis >= $1 ORDER BY seq`,
      [sinceMillis],
    );
    return result.rows.flatMap((row) => {
      const patient = toPatient(row);
      return patient === undefined ? [] : [{ ...patient, calledMillis: row.called_millis }];
    });
  }

  async withdraw(hospital: string, patientId: string): Promise<boolean> {
    const result = await this.#pool.query(
      'DELETE FROM emergency_queue WHERE hospital = $1 AND patient = $2',
      [hospital, patientId],
    );
    return result.rowCount === 1;
  }
}
