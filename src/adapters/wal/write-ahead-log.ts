import { mkdirSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeWalSegment, encodeWalRecord, type WalBatch } from './wal-codec.ts';

/** What replaying the log found. */
export interface WalReplay {
  readings: number;
  /** Bytes skipped at the end of segments (torn writes of a crash). */
  tornBytes: number;
  segments: number;
}

interface PendingRotation {
  resolve: (sequence: number) => void;
  reject: (error: unknown) => void;
}

interface PendingWrite {
  record: Buffer;
  resolve: () => void;
  reject: (error: unknown) => void;
}

const SEGMENT_PATTERN = /^wal-(\d{12})\.log$/;

function segmentName(sequence: number): string {
  return `wal-${String(sequence).padStart(12, '0')}.log`;
}

/** Lists the sequence numbers of the segments in `directory`, oldest first. */
function listSegments(directory: string): number[] {
  return readdirSync(directory)
    .map((name) => SEGMENT_PATTERN.exec(name)?.[1])
    .filter((sequence): sequence is string => sequence !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/**
 * Append-only, checksummed log in numbered segment files. Writes are grouped: every record
 * submitted while a write + fdatasync is in flight goes out together in the next one, so many
 * concurrent callers share one sync. `append` resolves once the record is on stable storage.
 */
export class WriteAheadLog {
  private queue: PendingWrite[] = [];
  private rotations: PendingRotation[] = [];
  private writing: Promise<void> | undefined;
  private declared = new Uint8Array(1024);
  private olderBytes = 0;
  private currentBytes = 0;
  private closed = false;

  private constructor(
    private readonly directory: string,
    private handle: FileHandle,
    private sequence: number,
  ) {}

  /**
   * Hands every record of the existing segments, oldest first, to `onBatch`, one segment in memory
   * at a time. Call before `open`; the segments stay until `removeBefore` deletes them.
   */
  static async replay(directory: string, onBatch: (batch: WalBatch) => Promise<void>): Promise<WalReplay> {
    mkdirSync(directory, { recursive: true });
    const existing = listSegments(directory);
    const replay: WalReplay = { readings: 0, tornBytes: 0, segments: existing.length };
    for (const sequence of existing) {
      const decoded = decodeWalSegment(readFileSync(join(directory, segmentName(sequence))));
      for (const batch of decoded.batches) {
        replay.readings += batch.length;
        await onBatch(batch);
      }
      replay.tornBytes += decoded.tornBytes;
    }
    return replay;
  }

  /** Opens the log in `directory` for appending, in a new segment after the existing ones. */
  static async open(directory: string): Promise<WriteAheadLog> {
    mkdirSync(directory, { recursive: true });
    const sequence = (listSegments(directory).at(-1) ?? 0) + 1;
    const handle = await open(join(directory, segmentName(sequence)), 'a');
    return new WriteAheadLog(directory, handle, sequence);
  }

  /** The segment new records go to. */
  get currentSegment(): number {
    return this.sequence;
  }

  /** Bytes submitted and not yet removed with their segment. */
  get backlogBytes(): number {
    return this.olderBytes + this.currentBytes;
  }

  /** Whether `key` still needs its id written into the current segment (and marks it written). */
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

  /** Appends a batch; resolves when it is durable. */
  append(batch: WalBatch): Promise<void> {
    if (this.closed) return Promise.reject(new Error('write-ahead log is closed'));
    const record = encodeWalRecord(batch);
    this.currentBytes += record.length;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ record, resolve, reject });
      this.writing ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 || this.rotations.length > 0) {
      const group = this.queue;
      this.queue = [];
      if (group.length > 0) await this.writeGroup(group);
      const rotations = this.rotations;
      this.rotations = [];
      if (rotations.length > 0) await this.switchSegment(rotations);
    }
    this.writing = undefined;
  }

  private async writeGroup(group: PendingWrite[]): Promise<void> {
    try {
      await this.handle.writev(group.map((pending) => pending.record));
      await this.handle.datasync();
      for (const pending of group) pending.resolve();
    } catch (error) {
      for (const pending of group) pending.reject(error);
    }
  }

  private async switchSegment(waiters: PendingRotation[]): Promise<void> {
    try {
      await this.handle.close();
      this.sequence += 1;
      this.handle = await open(join(this.directory, segmentName(this.sequence)), 'a');
      this.declared.fill(0);
      this.olderBytes += this.currentBytes;
      this.currentBytes = 0;
      for (const waiter of waiters) waiter.resolve(this.sequence);
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
    }
  }

  /**
   * Starts a new segment once every record submitted before this call is written.
   * Resolves with the new segment's number: all earlier records are in older segments.
   */
  rotate(): Promise<number> {
    if (this.closed) return Promise.reject(new Error('write-ahead log is closed'));
    return new Promise<number>((resolve, reject) => {
      this.rotations.push({ resolve, reject });
      this.writing ??= this.drain();
    });
  }

  /** Deletes segments older than `sequence` (their records are durable in the store); `sequence` must be the current one. */
  removeBefore(sequence: number): void {
    for (const existing of listSegments(this.directory)) {
      if (existing >= sequence) continue;
      unlinkSync(join(this.directory, segmentName(existing)));
    }
    this.olderBytes = 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.writing !== undefined) await this.writing;
    await this.handle.close();
  }
}
