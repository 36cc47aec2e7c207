import type pg from 'pg';
import { isLevel } from '../../core/triage/presentation.ts';
import type { PatientQueueStore, QueuedPatient } from '../../ports/patient-queues.ts';

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
 * Emergency queues in PostgreSQL, shared by every API process of a cluster. Taking the next patient
 * locks that row and skips rows another process holds, so two calls never get the same patient.
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

  async takeNext(hospital: string): Promise<QueuedPatient | undefined> {
    const result = await this.#pool.query<Row>(
      `DELETE FROM emergency_queue WHERE (hospital, patient) = (SELECT hospital, patient FROM emergency_queue
         WHERE hospital = $1 ORDER BY level, arrival_millis, seq LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING ${columns}`,
      [hospital],
    );
    const row = result.rows[0];
    return row === undefined ? undefined : toPatient(row);
  }

  async withdraw(hospital: string, patientId: string): Promise<boolean> {
    const result = await this.#pool.query(
      'DELETE FROM emergency_queue WHERE hospital = $1 AND patient = $2',
      [hospital, patientId],
    );
    return result.rowCount === 1;
  }
}
