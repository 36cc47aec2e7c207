/**
 * Where detector states wait while they are out of memory: fixed-size records numbered from 0.
 * Synchronous, as it is called from the per-reading path of the scoring thread; what is written
 * lives only as long as the process (saved states are the maintenance repository's business).
 */
export interface StateSpill {
  /** Writes records `slot`, `slot + 1`, … from `bytes`, a whole number of records, in one write. */
  write(slot: number, bytes: Uint8Array): void;
  /** Reads records `slot`, `slot + 1`, … into `into`, a whole number of records, in one read. */
  read(slot: number, into: Uint8Array): void;
  /** Frees what the records take (deletes the file). */
  close(): void;
}

/** Checks a spill's record size: a positive whole number of bytes. */
export function checkRecordBytes(recordBytes: number): void {
  if (!Number.isInteger(recordBytes) || recordBytes <= 0)
    throw new RangeError(`state spill: recordBytes must be a positive integer, got ${recordBytes}`);
}

/** How many records of `recordBytes` `bytes` holds; a read or write moves whole records only. */
export function wholeRecords(bytes: Uint8Array, recordBytes: number): number {
  if (bytes.byteLength === 0 || bytes.byteLength % recordBytes !== 0)
    throw new RangeError(
      `state spill: records of ${recordBytes} bytes are moved whole, got ${bytes.byteLength} bytes`,
    );
  return bytes.byteLength / recordBytes;
}
