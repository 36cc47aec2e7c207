import { checkRecordBytes, wholeRecords, type StateSpill } from '../../ports/state-spill.ts';

/** Records kept in a map: for tests, and where nothing may be written to disk. */
export class MemoryStateSpill implements StateSpill {
  readonly #records = new Map<number, Uint8Array>();
  readonly #recordBytes: number;
  /** Writes and reads so far, and the records they moved (tests check that states went out and came back). */
  writes = 0;
  reads = 0;
  recordsWritten = 0;
  recordsRead = 0;

  constructor(recordBytes: number) {
    checkRecordBytes(recordBytes);
    this.#recordBytes = recordBytes;
  }

  write(slot: number, bytes: Uint8Array): void {
    const count = wholeRecords(bytes, this.#recordBytes);
    this.writes += 1;
    this.recordsWritten += count;
    for (let index = 0; index < count; index++) {
      const at = index * this.#recordBytes;
      this.#records.set(slot + index, bytes.slice(at, at + this.#recordBytes));
    }
  }

  read(slot: number, into: Uint8Array): void {
    const count = wholeRecords(into, this.#recordBytes);
    this.reads += 1;
    this.recordsRead += count;
    for (let index = 0; index < count; index++) {
      const record = this.#records.get(slot + index);
      if (record === undefined) throw new RangeError(`state spill: no record ${slot + index}`);
      into.set(record, index * this.#recordBytes);
    }
  }

  close(): void {
    this.#records.clear();
  }
}
