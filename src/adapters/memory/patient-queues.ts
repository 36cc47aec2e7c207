import type { CalledPatient, PatientQueueStore, QueuedPatient } from '../../ports/patient-queues.ts';

/** Next in line: level, then arrival, then entry (array order). */
function nextIndex(patients: readonly QueuedPatient[], hospital: string): number {
  let best = -1;
  patients.forEach((patient, index) => {
    if (patient.hospital !== hospital) return;
    const current = patients[best];
    if (
      current === undefined ||
      patient.level < current.level ||
      (patient.level === current.level && patient.arrivalMillis < current.arrivalMillis)
    )
      best = index;
  });
  return best;
}

/** Emergency queues in memory (tests, `serve --memory`): a restart empties them. */
export class MemoryPatientQueues implements PatientQueueStore {
  #patients: QueuedPatient[] = [];
  #called: CalledPatient[] = [];

  async waiting(): Promise<QueuedPatient[]> {
    return this.#patients.map((patient) => ({ ...patient }));
  }

  async add(patient: QueuedPatient): Promise<boolean> {
    if (this.#find(patient.hospital, patient.patientId) >= 0) return false;
    this.#patients.push({ ...patient });
    return true;
  }

  async takeNext(hospital: string, calledMillis: number): Promise<QueuedPatient | undefined> {
    const index = nextIndex(this.#patients, hospital);
    const taken = index < 0 ? undefined : this.#patients.splice(index, 1)[0];
    if (taken !== undefined) this.#called.push({ ...taken, calledMillis });
    return taken;
  }

  async called(sinceMillis: number): Promise<CalledPatient[]> {
    this.#called = this.#called.filter((patient) => patient.calledMillis >= sinceMillis);
    return this.#called.map((patient) => ({ ...patient }));
  }

  async withdraw(hospital: string, patientId: string): Promise<boolean> {
    const index = this.#find(hospital, patientId);
    if (index >= 0) this.#patients.splice(index, 1);
    return index >= 0;
  }

  #find(hospital: string, patientId: string): number {
    return this.#patients.findIndex(
      (patient) => patient.hospital === hospital && patient.patientId === patientId,
    );
  }
}
