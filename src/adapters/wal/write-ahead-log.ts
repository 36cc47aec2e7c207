import { statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { encodeWalRecord, type WalBatch } from './wal-codec.ts';
import { RecordMemory } from './record-memory.ts';
import { replayWal, type ReplayOptions, type WalReplay } from './wal-replay.ts';
import {
  listSegments,
  openSegmentFile,
  segmentName,
  type OpenSegment,
  type SegmentFile,
} from './segments.ts';
import { makeFolder } from '../files/folders.ts';

interface PendingRotation {
  kind: 'rotation';
  resolve: (sequence: number) => void;
  reject: (error: unknown) => void;
}

interface PendingWrite {
  kind: 'write';
  /** In memory of the log's own (`RecordMemory`), given back once written or dropped. */
  record: Buffer;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface WriteAheadLogOptions {
  /** Opens segment files (default: the file system; tests inject failures). */
  openSegment?: OpenSegment;
}

/**
 * Writes all of `buffers` (`bytes` in all): a short write (a full disk) is continued, so that it
 * either completes or fails with the error that stopped it.
 */
async function writeFully(file: SegmentFile, buffers: Buffer[], bytes: number): Promise<void> {
  let rest = [...buffers];
  let left = bytes;
  for (;;) {
    const { bytesWritten } = await file.writev(rest);
    left -= bytesWritten;
    if (left <= 0) return;
    if (bytesWritten === 0)
      throw new Error(`write-ahead log: short write, ${left} of ${bytes} bytes unwritten`);
    let skip = bytesWritten;
    while (skip >= (rest[0]?.length ?? Infinity)) skip -= (rest.shift() as Buffer).length;
    rest = [(rest[0] as Buffer).subarray(skip), ...rest.slice(1)];
  }
}

/**
 * Append-only, checksummed log in numbered segment files. Writes are grouped: every record
 * submitted while a write + fdatasync is in flight goes out together in the next one, so many
 * concurrent callers share one sync. `append` resolves once the record is on stable storage.
 * A failed (or short) write is cut off the segment again before anything more is written, and
 * every record that could depend on the keys it declared fails with it; a segment deleted while
 * open is replaced by a new one at the next write.
 */
export class WriteAheadLog {
  private queue: (PendingWrite | PendingRotation)[] = [];
  private readonly memory = new RecordMemory();
  private writing: Promise<void> | undefined;
  private declared = new Uint8Array(1024);
  /** Bytes in segments before the current one that are not yet removed. */
  private olderBytes = 0;
  /** Bytes of whole, synced records in the current segment: its good length. */
  private segmentBytes = 0;
  /** Bytes submitted and not yet written. */
  private queuedBytes = 0;
  /** A write failed: the segment may end in part of a record, to be cut back to `segmentBytes`. */
  private damaged = false;
  /** The current segment was deleted while open: a new one is opened before writing more. */
  private lost = false;
  private closed = false;

  private constructor(
    private readonly directory: string,
    private file: SegmentFile,
    private sequence: number,
    private readonly openSegment: OpenSegment,
  ) {}

  /**
   * Hands every record of the existing segments, oldest first, to `onBatch` (see `replayWal`).
   * Call before anything is appended; the segments stay until `removeBefore` deletes them.
   */
  static replay(
    directory: string,
    onBatch: (batch: WalBatch) => Promise<number | void>,
    options?: ReplayOptions,
  ): Promise<WalReplay> {
    return replayWal(directory, onBatch, options);
  }

  /**
   * Opens the log in `directory` for appending, in a new segment after the existing ones (or in
   * the last one if it is empty, as a start that failed leaves it).
   */
  static async open(directory: string, options: WriteAheadLogOptions = {}): Promise<WriteAheadLog> {
    makeFolder(directory);
    const last = listSegments(directory).at(-1);
    const reuse = last !== undefined && statSync(join(directory, segmentName(last))).size === 0;
    const sequence = reuse ? last : (last ?? 0) + 1;
    const openSegment = options.openSegment ?? openSegmentFile;
    const file = await openSegment(join(directory, segmentName(sequence)));
    return new WriteAheadLog(directory, file, sequence, openSegment);
  }

  /** The segment new records go to. */
  get currentSegment(): number {
    return this.sequence;
  }

  /** Bytes submitted and not yet removed with their segment. */
  get backlogBytes(): number {
    return this.olderBytes + this.segmentBytes + this.queuedBytes;
  }

  /**
   * Whether `key` still needs its id written into the current segment (and marks it written).
   * The mark is undone if the write fails: the next record declares the key again.
   */
  needsDefine(key: number): boolean {
    if (key >= this.declared.length) {
      const grown = new Uint8Array(Math.max(key + 1, this.declared.length * 2));
      grown.set(this.declared);
      this.declared = grown;
    }
    if (this.declared[key] === 1) return false;
    this.declared[key] = 1;
    return true;
  }

  /** Appends a batch; resolves when it is durable, rejects if it was not written whole. */
  append(batch: WalBatch): Promise<void> {
    if (this.closed) return Promise.reject(new Error('write-ahead log is closed'));
    const record = encodeWalRecord(batch, (bytes) => this.memory.take(bytes));
    this.queuedBytes += record.length;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ kind: 'write', record, resolve, reject });
      this.writing ??= this.drain();
    });
  }

  /**
   * Starts a new segment once every record submitted before this call is written.
   * Resolves with the new segment's number: all earlier records are in older segments. If the new
   * segment cannot be opened, the current one stays in use and the promise rejects.
   */
  rotate(): Promise<number> {
    if (this.closed) return Promise.reject(new Error('write-ahead log is closed'));
    // Records submitted from now on may land in the new segment: they declare their keys again.
    this.declared.fill(0);
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ kind: 'rotation', resolve, reject });
      this.writing ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const head = this.queue[0] as PendingWrite | PendingRotation;
      if (head.kind === 'rotation') {
        this.queue.shift();
        await this.switchSegment(head);
        continue;
      }
      await this.writeGroup(this.takeWrites());
    }
    this.writing = undefined;
  }

  /** Removes the writes queued before the next rotation from the queue and returns them. */
  private takeWrites(): PendingWrite[] {
    const until = this.queue.findIndex((pending) => pending.kind === 'rotation');
    return this.queue.splice(0, until < 0 ? this.queue.length : until) as PendingWrite[];
  }

  private async writeGroup(group: PendingWrite[]): Promise<void> {
    const records = group.map((pending) => pending.record);
    const bytes = records.reduce((sum, record) => sum + record.length, 0);
    this.queuedBytes -= bytes;
    try {
      if (this.lost) await this.openNextSegment();
      else if (this.damaged) await this.cutBack();
      await writeFully(this.file, records, bytes);
      await this.file.datasync();
      // A segment deleted while open takes what is written to it along: checked before anything
      // is acknowledged.
      if (this.file.links() === 0) {
        this.lost = true;
        throw new Error(`write-ahead log segment ${this.path(this.sequence)} was deleted`);
      }
      this.segmentBytes += bytes;
      for (const pending of group) pending.resolve();
    } catch (error) {
      await this.failed(group, error);
    } finally {
      for (const pending of group) this.memory.give(pending.record);
    }
  }

  /**
   * After a failed write: forgets which keys the segment declares and fails the group and every
   * record queued behind it before the next rotation (they may rely on keys the group declared),
   * then tries to cut the segment back to its last whole record.
   */
  private async failed(group: PendingWrite[], error: unknown): Promise<void> {
    this.declared.fill(0);
    const behind = this.takeWrites();
    for (const pending of behind) {
      this.queuedBytes -= pending.record.length;
      this.memory.give(pending.record);
    }
    if (!this.lost) {
      this.damaged = true;
      await this.cutBack().catch(() => undefined);
    }
    for (const pending of [...group, ...behind]) pending.reject(error);
  }

  /** Truncates the segment to its whole, synced records. */
  private async cutBack(): Promise<void> {
    await this.file.truncate(this.segmentBytes);
    this.damaged = false;
  }

  /**
   * Writes to the next segment from now on, also in place of one deleted while open (its records
   * are gone with it). The new segment is opened first: if that fails, the current one stays in use.
   */
  private async openNextSegment(): Promise<void> {
    const file = await this.openSegment(this.path(this.sequence + 1));
    const old = this.file;
    this.file = file;
    this.sequence += 1;
    if (!this.lost) this.olderBytes += this.segmentBytes;
    this.segmentBytes = 0;
    this.lost = false;
    this.damaged = false;
    await old.close().catch(() => undefined);
  }

  private async switchSegment(rotation: PendingRotation): Promise<void> {
    try {
      if (this.damaged && !this.lost) await this.cutBack();
      await this.openNextSegment();
      rotation.resolve(this.sequence);
    } catch (error) {
      rotation.reject(error);
    }
  }

  private path(sequence: number): string {
    return join(this.directory, segmentName(sequence));
  }

  /** Deletes segments older than `sequence` (their records are durable in the store); `sequence` must be the current one. */
  removeBefore(sequence: number): void {
    for (const existing of listSegments(this.directory)) {
      if (existing >= sequence) continue;
      try {
        unlinkSync(this.path(existing));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    this.olderBytes = 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.writing !== undefined) await this.writing;
    if (this.damaged && !this.lost) await this.cutBack().catch(() => undefined);
    await this.file.close();
  }
}
