/**
 * A hospital's emergency queue: most urgent level first, then earliest
 * arrival, then the order of entry (ties at the same instant).
 * Entries can be withdrawn (a patient who leaves without being seen).
 */
import type { Level } from '../triage/presentation.ts';
import { MinHeap } from './heap.ts';

export type QueueEntry = { patientId: string; level: Level; arrivalMinutes: number };

type Slot = QueueEntry & { sequence: number };

export class EmergencyQueue {
  readonly #heap = new MinHeap<Slot>(comesFirst);
  /** Waiting patients: id -> level and the sequence of their live heap slot. */
  readonly #waiting = new Map<string, { level: Level; sequence: number }>();
  #sequence = 0;

  /** Patients waiting, by level index 0–4. */
  countsByLevel(): number[] {
    const counts = [0, 0, 0, 0, 0];
    for (const { level } of this.#waiting.values()) counts[level - 1] = (counts[level - 1] ?? 0) + 1;
    return counts;
  }

  get size(): number {
    return this.#waiting.size;
  }

  has(patientId: string): boolean {
    return this.#waiting.has(patientId);
  }

  add(entry: QueueEntry): void {
    if (this.#waiting.has(entry.patientId)) throw new Error(`patient ${entry.patientId} is already queued`);
    const sequence = this.#sequence++;
    this.#waiting.set(entry.patientId, { level: entry.level, sequence });
    this.#heap.push({ ...entry, sequence });
  }

  /** Removes a waiting patient; false when the patient is not waiting. */
  withdraw(patientId: string): boolean {
    return this.#waiting.delete(patientId);
  }

  /** The next patient to be seen, removed from the queue. */
  next(): QueueEntry | undefined {
    for (;;) {
      const slot = this.#heap.pop();
      if (slot === undefined) return undefined;
      if (this.#waiting.get(slot.patientId)?.sequence !== slot.sequence) continue;
      this.#waiting.delete(slot.patientId);
      return { patientId: slot.patientId, level: slot.level, arrivalMinutes: slot.arrivalMinutes };
    }
  }

  /** Waiting entries in the order they will be seen. */
  ordered(): QueueEntry[] {
    return this.#heap
      .values()
      .filter((slot) => this.#waiting.get(slot.patientId)?.sequence === slot.sequence)
      .sort((a, b) => (comesFirst(a, b) ? -1 : 1))
      .map(({ patientId, level, arrivalMinutes }) => ({ patientId, level, arrivalMinutes }));
  }
}

function comesFirst(a: Slot, b: Slot): boolean {
  if (a.level !== b.level) return a.level < b.level;
  if (a.arrivalMinutes !== b.arrivalMinutes) return a.arrivalMinutes < b.arrivalMinutes;
  return a.sequence < b.sequence;
}
