/** Records are given memory in steps of this size, so records of about the same size share it. */
const STEP_BYTES = 64 * 1024;

/**
 * Memory for write-ahead-log records, given back once a record is written and used again.
 *
 * A record of a 5,000-reading batch takes ~100 KB. Allocated afresh, memory of that size comes
 * from `mmap` and goes back to the system when collected, so every record wrote to pages never
 * touched before: 10,000 page faults on the ingest thread per 2,000,000 readings, each ~13 µs on a
 * virtual machine that backs a page only when it is first touched. Kept here, the same pages are
 * written again.
 */
export class RecordMemory {
  readonly #spare: ArrayBuffer[] = [];
  #spareBytes = 0;

  /** @param maxSpareBytes memory kept for reuse at most; memory given back beyond it is dropped. */
  constructor(private readonly maxSpareBytes = 16 * 1024 * 1024) {}

  /**
   * `bytes` bytes (not zeroed) at the start of memory of their own: spare memory if some is large
   * enough, else new.
   */
  take(bytes: number): Buffer {
    const spare = this.#spare;
    for (let index = spare.length - 1; index >= 0; index--) {
      const memory = spare[index] as ArrayBuffer;
      if (memory.byteLength < bytes) continue;
      spare[index] = spare[spare.length - 1] as ArrayBuffer;
      spare.pop();
      this.#spareBytes -= memory.byteLength;
      return Buffer.from(memory, 0, bytes);
    }
    return Buffer.from(new ArrayBuffer(Math.ceil(bytes / STEP_BYTES) * STEP_BYTES), 0, bytes);
  }

  /** Gives back the memory of a buffer `take` gave; its holder must not touch it again. */
  give(taken: Buffer): void {
    const memory = taken.buffer as ArrayBuffer;
    if (this.#spareBytes + memory.byteLength > this.maxSpareBytes) return;
    this.#spare.push(memory);
    this.#spareBytes += memory.byteLength;
  }

  /** Bytes kept for reuse. */
  get spareBytes(): number {
    return this.#spareBytes;
  }
}
