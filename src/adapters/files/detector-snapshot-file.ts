import { existsSync, rmSync } from 'node:fs';
import { open, rename, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DetectorState, DetectorStateStore } from '../../ports/maintenance.ts';
import { syncPath } from './folders.ts';
import {
  CHUNK_HEADER_BYTES,
  decodeChunkHeader,
  decodeHeader,
  decodePayload,
  encodeChunk,
  encodeHeader,
  HEADER_BYTES,
  type SnapshotHeader,
} from './snapshot-chunks.ts';

/** Where the detectors' states snapshot of the data folder `folder` lives. */
export function snapshotPathIn(folder: string): string {
  return join(folder, 'detector-states.snapshot');
}

/** Where states were saved before this file held them, read until its first snapshot ends. */
export interface PreviousStates extends Pick<DetectorStateStore, 'loadDetectorStates' | 'statesSavedAt'> {
  /** Deletes the states kept there, once the file holds newer ones. */
  dropDetectorStates(): Promise<void>;
}

interface ReadChunk {
  states: DetectorState[];
  /** Where the chunk ends: the next begins there. */
  end: number;
}

interface OpenSnapshot {
  handle: FileHandle;
  bytes: number;
  chunks: number;
}

/**
 * Detector states as whole snapshots in one file of their own (`snapshot-chunks.ts` has its
 * layout), not in the database: a save streams every state into `<path>.next` in chunks, and only
 * when it ends is that file synced and renamed over `<path>`, so a crash mid-save leaves the last
 * snapshot whole. Writing a million states is a sequential write of about a gigabyte that takes no
 * memory beyond the chunk in hand; in DuckDB the same save held back its checkpoints and took its
 * memory past its limit.
 */
export class DetectorSnapshotFile implements DetectorStateStore {
  readonly #path: string;
  readonly #next: string;
  #previous: PreviousStates | undefined;
  #open: OpenSnapshot | undefined;

  /** `previous`: a store read while no snapshot file exists, and emptied once one does. */
  constructor(path: string, previous?: PreviousStates) {
    this.#path = path;
    this.#next = `${path}.next`;
    this.#previous = previous;
    // A save that a crash cut short: its states are older than what the next save writes.
    rmSync(this.#next, { force: true });
  }

  async beginSnapshot(): Promise<void> {
    await this.#discard();
    const handle = await open(this.#next, 'w', 0o600);
    try {
      await handle.write(encodeHeader({ savedAt: Number.NaN, chunks: 0 }), 0, HEADER_BYTES, 0);
    } catch (error) {
      await handle.close();
      throw error;
    }
    this.#open = { handle, bytes: HEADER_BYTES, chunks: 0 };
  }

  async saveDetectorStates(states: readonly DetectorState[]): Promise<void> {
    const snapshot = this.#begun('saveDetectorStates');
    if (states.length === 0) return;
    const chunk = encodeChunk(states);
    try {
      await writeAll(snapshot.handle, chunk, snapshot.bytes);
    } catch (error) {
      await this.#discard();
      throw error;
    }
    snapshot.bytes += chunk.byteLength;
    snapshot.chunks += 1;
  }

  async markStatesSaved(atMillis: number): Promise<void> {
    const snapshot = this.#begun('markStatesSaved');
    try {
      await snapshot.handle.write(
        encodeHeader({ savedAt: atMillis, chunks: snapshot.chunks }),
        0,
        HEADER_BYTES,
        0,
      );
      await snapshot.handle.datasync();
      await snapshot.handle.close();
      this.#open = undefined;
      await rename(this.#next, this.#path);
      await syncPath(dirname(this.#path));
    } catch (error) {
      await this.#discard();
      throw error;
    }
    const previous = this.#previous;
    if (previous !== undefined) {
      await previous.dropDetectorStates();
      this.#previous = undefined;
    }
  }

  async statesSavedAt(): Promise<number | undefined> {
    if (!existsSync(this.#path)) return this.#previous?.statesSavedAt?.();
    const handle = await open(this.#path, 'r');
    try {
      const header = this.#header(await readExactly(handle, HEADER_BYTES, 0));
      return Number.isNaN(header.savedAt) ? undefined : header.savedAt;
    } finally {
      await handle.close();
    }
  }

  /**
   * Reads the snapshot a chunk at a time, each checked against its checksum before it is handed on;
   * the next chunk is read while `each` takes the one before.
   */
  async loadDetectorStates(each: (states: DetectorState[]) => Promise<void>): Promise<void> {
    if (!existsSync(this.#path)) {
      await this.#previous?.loadDetectorStates(each);
      return;
    }
    const handle = await open(this.#path, 'r');
    let next: Promise<ReadChunk> | undefined;
    try {
      const header = this.#header(await readExactly(handle, HEADER_BYTES, 0));
      const read = async (index: number, from: number): Promise<ReadChunk> => {
        const where = `(chunk ${index} at byte ${from})`;
        const chunk = decodeChunkHeader(await readExactly(handle, CHUNK_HEADER_BYTES, from));
        if (typeof chunk === 'string') throw this.#damaged(`${chunk} ${where}`);
        const payload = await readExactly(handle, chunk.payloadBytes, from + CHUNK_HEADER_BYTES);
        const states = decodePayload(chunk, payload);
        if (typeof states === 'string') throw this.#damaged(`${states} ${where}`);
        return { states, end: from + CHUNK_HEADER_BYTES + chunk.payloadBytes };
      };
      let end = HEADER_BYTES;
      for (let index = 0; index < header.chunks; index++) {
        const chunk = await (next ?? read(index, end));
        end = chunk.end;
        next = index + 1 < header.chunks ? read(index + 1, end) : undefined;
        // Its failure is thrown when it is awaited, or dropped with `each`'s own.
        next?.catch(() => undefined);
        await each(chunk.states);
      }
      const { size } = await handle.stat();
      if (size !== end) throw this.#damaged(`has ${size - end} bytes after its last chunk`);
    } finally {
      // A read still under way when `each` failed ends before the file is closed.
      await next?.catch(() => undefined);
      await handle.close();
    }
  }

  #begun(operation: string): OpenSnapshot {
    if (this.#open === undefined)
      throw new Error(`detector states: ${operation} needs a snapshot begun with beginSnapshot`);
    return this.#open;
  }

  async #discard(): Promise<void> {
    const snapshot = this.#open;
    this.#open = undefined;
    if (snapshot !== undefined) await snapshot.handle.close().catch(() => undefined);
    rmSync(this.#next, { force: true });
  }

  #header(bytes: Buffer): SnapshotHeader {
    const header = decodeHeader(bytes);
    if (typeof header === 'string') throw this.#damaged(header);
    return header;
  }

  #damaged(why: string): Error {
    return new Error(
      `detector states: ${this.#path} ${why}; move it away to start the detectors without their saved states`,
    );
  }
}

async function writeAll(handle: FileHandle, bytes: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.byteLength - done, position + done);
    done += bytesWritten;
  }
}

/** `length` bytes from `position`; fewer (the file ends) is damage, reported by the caller's checks. */
async function readExactly(handle: FileHandle, length: number, position: number): Promise<Buffer> {
  const bytes = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(bytes, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return bytes.subarray(0, done);
}
