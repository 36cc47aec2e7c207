import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readdirSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { checkRecordBytes, wholeRecords, type StateSpill } from '../../ports/state-spill.ts';

const PREFIX = 'detector-states-';
const SUFFIX = '.spill';

/** A spill of its own in `folder` (a fresh name, so two sets of detectors never share one). */
export function openSpillIn(folder: string): (recordBytes: number) => StateSpill {
  return openSpillAt(spillPathIn(folder));
}

/** A fresh spill file name in `folder`, for a spill whose owner must know where it is. */
export function spillPathIn(folder: string): string {
  return join(folder, `${PREFIX}${randomUUID().slice(0, 8)}${SUFFIX}`);
}

/** A spill at `path` (see `spillPathIn`). */
export function openSpillAt(path: string): (recordBytes: number) => StateSpill {
  return (recordBytes) => new FileStateSpill(path, recordBytes);
}

/** Deletes spill files left in `folder` by a process that did not close them (killed, say). */
export function removeLeftSpills(folder: string): number {
  let removed = 0;
  for (const name of readdirSync(folder)) {
    if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX)) continue;
    rmSync(join(folder, name), { force: true });
    removed += 1;
  }
  return removed;
}

/**
 * Records in one file, record `slot` at `slot × recordBytes`. The file is made afresh at open (a
 * file left by a process that died holds nothing anyone needs) and deleted at close. Its pages sit
 * in the operating system's cache, not in the process's memory.
 */
export class FileStateSpill implements StateSpill {
  readonly #path: string;
  readonly #recordBytes: number;
  #fd: number | undefined;

  constructor(path: string, recordBytes: number) {
    checkRecordBytes(recordBytes);
    this.#path = path;
    this.#recordBytes = recordBytes;
    this.#fd = openSync(path, 'w+', 0o600);
  }

  write(slot: number, bytes: Uint8Array): void {
    wholeRecords(bytes, this.#recordBytes);
    const fd = this.#open();
    let done = 0;
    while (done < bytes.byteLength)
      done += writeSync(fd, bytes, done, bytes.byteLength - done, slot * this.#recordBytes + done);
  }

  read(slot: number, into: Uint8Array): void {
    wholeRecords(into, this.#recordBytes);
    const fd = this.#open();
    let done = 0;
    while (done < into.byteLength) {
      const got = readSync(fd, into, done, into.byteLength - done, slot * this.#recordBytes + done);
      if (got === 0) {
        const record = slot + Math.floor(done / this.#recordBytes);
        throw new RangeError(`state spill: record ${record} is past the end of ${this.#path}`);
      }
      done += got;
    }
  }

  close(): void {
    if (this.#fd === undefined) return;
    closeSync(this.#fd);
    this.#fd = undefined;
    rmSync(this.#path, { force: true });
  }

  #open(): number {
    if (this.#fd === undefined) throw new Error(`state spill: ${this.#path} is closed`);
    return this.#fd;
  }
}
