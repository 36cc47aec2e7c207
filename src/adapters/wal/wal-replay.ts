import { copyFileSync, existsSync, linkSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { basename, join } from 'node:path';
import { decodeWalSegment, type SegmentDamage, type WalBatch } from './wal-codec.ts';
import { listSegments, segmentName } from './segments.ts';
import { makeFolder } from '../files/folders.ts';

/** Damage skipped under `skipCorrupt`: where it was and where the damaged segment was kept. */
export interface SkippedDamage {
  /** Path of the segment in the log. */
  segment: string;
  offset: number;
  /** Bytes that could not be replayed (readings of unknown sensors: the record's length). */
  bytes: number;
  reason: string;
  /** Copy of the whole segment, for inspection. */
  keptAs: string;
}

/** What replaying the log found. */
export interface WalReplay {
  readings: number;
  /** Bytes cut from the end of the last segment: a record torn by a crash, never acknowledged. */
  tornBytes: number;
  segments: number;
  /** Damage in the middle of the log, skipped because `skipCorrupt` was set. */
  skipped: SkippedDamage[];
}

export interface ReplayOptions {
  /**
   * Damage other than a torn tail (a bad record with readable data after it, or in a segment
   * other than the last) makes `replay` throw `WalCorruptError`, unless this is set: then the
   * readable records are replayed, the segment is copied into `corruptDirectory` and the damage
   * is listed in `skipped`.
   */
  skipCorrupt?: boolean;
  /** Where damaged segments are kept under `skipCorrupt`. */
  corruptDirectory?: string;
  /** Called after each segment that held records (for progress lines on long replays). */
  onSegment?: (progress: { name: string; index: number; segments: number; readings: number }) => void;
}

/** The log holds damage that is not a torn tail; nothing after it was replayed. */
export class WalCorruptError extends Error {
  constructor(
    readonly segment: string,
    readonly damage: SegmentDamage,
    readonly bytesAfter: number,
  ) {
    super(
      `write-ahead log is damaged: ${segment} at byte ${damage.offset}: ${damage.reason}, ` +
        `${bytesAfter} bytes after it; acknowledged readings may be in them. Start with ` +
        '--wal-skip-corrupt to keep a copy of the segment in wal-corrupt/, replay what can be read and go on',
    );
    this.name = 'WalCorruptError';
  }
}

/**
 * Hands every readable record of the segments in `directory`, oldest first, to `onBatch`, one
 * segment in memory at a time. `onBatch` resolves with the number of the batch's readings it
 * could not replay (their sensor key is declared nowhere): that counts as damage too.
 * A torn tail (an unreadable stretch at the very end of the log, after which no segment holds
 * data) is cut off the file, so that records written later do not sit behind it.
 */
export async function replayWal(
  directory: string,
  onBatch: (batch: WalBatch) => Promise<number | void>,
  options: ReplayOptions = {},
): Promise<WalReplay> {
  makeFolder(directory);
  const sequences = listSegments(directory);
  const paths = sequences.map((sequence) => join(directory, segmentName(sequence)));
  const lastWithData = paths.findLastIndex((path) => statSync(path).size > 0);
  const replay: WalReplay = { readings: 0, tornBytes: 0, segments: sequences.length, skipped: [] };
  for (const [index, path] of paths.entries()) {
    const data = readFileSync(path);
    if (data.length === 0) continue;
    const decoded = decodeWalSegment(data);
    const damage = [...decoded.damage];
    const tail = damage.at(-1);
    if (index === lastWithData && tail !== undefined && tail.offset + tail.bytes === data.length) {
      damage.pop();
      truncateSync(path, tail.offset);
      replay.tornBytes += tail.bytes;
    }
    const first = damage[0];
    if (first !== undefined && options.skipCorrupt !== true)
      throw new WalCorruptError(path, first, data.length - first.offset);
    for (const [position, batch] of decoded.batches.entries()) {
      const unplaced = (await onBatch(batch)) ?? 0;
      replay.readings += batch.length - unplaced;
      if (unplaced === 0) continue;
      const offset = decoded.offsets[position] ?? 0;
      const next = decoded.offsets[position + 1] ?? data.length;
      const unknown = {
        offset,
        bytes: next - offset,
        reason: `${unplaced} readings of undeclared sensor keys`,
      };
      if (options.skipCorrupt !== true) throw new WalCorruptError(path, unknown, data.length - offset);
      damage.push(unknown);
    }
    if (damage.length > 0) {
      const keptAs = keepCopy(path, options.corruptDirectory ?? join(directory, '..', 'wal-corrupt'));
      for (const skipped of damage) replay.skipped.push({ segment: path, ...skipped, keptAs });
    }
    options.onSegment?.({
      name: segmentName(sequences[index] as number),
      index,
      segments: sequences.length,
      readings: replay.readings,
    });
  }
  return replay;
}

/**
 * Keeps the damaged segment at `directory`/<name> (a hard link, else a copy): the log's own name
 * is deleted by the next checkpoint once the readable records are in the store.
 */
function keepCopy(path: string, directory: string): string {
  makeFolder(directory);
  const kept = join(directory, basename(path));
  if (existsSync(kept)) return kept;
  try {
    linkSync(path, kept);
  } catch {
    copyFileSync(path, kept);
  }
  return kept;
}
