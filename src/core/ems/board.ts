/**
 * The city's emergency board: every hospital's emergency queue (level, then
 * arrival) and its live occupancy, as fed by sensor readings. Pure state with
 * no clock: callers pass times. The HTTP layer and the dispatcher read
 * `statuses()` and pass them to `recommendDestination`.
 */
import type { Level } from '../triage/presentation.ts';
import type { Hospital, HospitalStatus } from './hospital.ts';
import { hospitalProblems, treatmentSlots } from './hospital.ts';
import type { QueueEntry } from './queue.ts';
import { EmergencyQueue } from './queue.ts';

type Department = { hospital: Hospital; queue: EmergencyQueue; inTreatment: number; incoming: number[] };

export type BoardOutcome = { ok: true } | { ok: false; reason: string };

export class EmergencyBoard {
  readonly #departments = new Map<string, Department>();

  constructor(hospitals: readonly Hospital[]) {
    for (const hospital of hospitals) {
      const problems = hospitalProblems(hospital);
      if (problems.length > 0) throw new Error(`hospital ${hospital.id}: ${problems.join('; ')}`);
      if (this.#departments.has(hospital.id)) throw new Error(`hospital ${hospital.id} is listed twice`);
      this.#departments.set(hospital.id, {
        hospital,
        queue: new EmergencyQueue(),
        inTreatment: 0,
        incoming: [0, 0, 0, 0, 0],
      });
    }
  }

  /** A triaged patient joins a hospital's emergency queue. */
  admit(hospitalId: string, entry: QueueEntry): BoardOutcome {
    const department = this.#departments.get(hospitalId);
    if (department === undefined) return { ok: false, reason: `unknown hospital '${hospitalId}'` };
    if (department.queue.has(entry.patientId))
      return { ok: false, reason: `patient '${entry.patientId}' is already queued at ${hospitalId}` };
    department.queue.add(entry);
    return { ok: true };
  }

  /** The next patient a free provider should see, or undefined when nobody waits. */
  callNext(hospitalId: string): QueueEntry | undefined {
    const entry = this.#departments.get(hospitalId)?.queue.next();
    if (entry !== undefined) this.startTreatment(hospitalId);
    return entry;
  }

  /** A patient called from the queue is now in treatment (until the next occupancy reading says otherwise). */
  startTreatment(hospitalId: string): void {
    const department = this.#departments.get(hospitalId);
    if (department !== undefined)
      department.inTreatment = Math.min(treatmentSlots(department.hospital), department.inTreatment + 1);
  }

  /** A patient left without being seen. */
  withdraw(hospitalId: string, patientId: string): boolean {
    return this.#departments.get(hospitalId)?.queue.withdraw(patientId) ?? false;
  }

  /** Occupancy sensor reading: patients in treatment now. */
  recordOccupancy(hospitalId: string, inTreatment: number): BoardOutcome {
    const department = this.#departments.get(hospitalId);
    if (department === undefined) return { ok: false, reason: `unknown hospital '${hospitalId}'` };
    if (!Number.isInteger(inTreatment) || inTreatment < 0)
      return { ok: false, reason: `occupancy ${inTreatment} must be a whole number ≥ 0` };
    department.inTreatment = inTreatment;
    return { ok: true };
  }

  /** An ambulance with a patient of `level` is now heading to (+1) or has arrived at (-1) the hospital. */
  recordIncoming(hospitalId: string, level: Level, change: 1 | -1): BoardOutcome {
    const department = this.#departments.get(hospitalId);
    if (department === undefined) return { ok: false, reason: `unknown hospital '${hospitalId}'` };
    department.incoming[level - 1] = Math.max(0, (department.incoming[level - 1] ?? 0) + change);
    return { ok: true };
  }

  queue(hospitalId: string): QueueEntry[] {
    return this.#departments.get(hospitalId)?.queue.ordered() ?? [];
  }

  statuses(): HospitalStatus[] {
    return [...this.#departments.values()].map((d) => ({
      hospital: d.hospital,
      inTreatment: d.inTreatment,
      waitingByLevel: d.queue.countsByLevel(),
      incomingByLevel: [...d.incoming],
    }));
  }
}
