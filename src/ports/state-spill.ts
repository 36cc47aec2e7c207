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
