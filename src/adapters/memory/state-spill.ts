import type { StateSpill } from '../../ports/state-spill.ts';

/** Records kept in a map: for tests, and where nothing may be written to disk. */
export class MemoryStateSpill implements StateSpill {
  readonly #records = new Map<number, Uint8Array>();
  /** Writes and reads so far (tests check that a state went out and came back). */
  writes = 0;
  reads = 0;

  write(slot: number, bytes: Uint8Array): void {
    this.writes += 1;
    this.#records.set(slot, bytes.slice());
  }

  read(slot: number, into: Uint8Array): void {
    this.reads += 1;
    const record = this.#records.get(slot);
    if (record === undefined) throw new RangeError(`state spill: no record ${slot}`);
    into.set(record.subarray(0, into.byteLength));
  }

  close(): void {
    this.#records.clear();
  }
}
