import { fstatSync, readdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';

const SEGMENT_PATTERN = /^wal-(\d{12})\.log$/;

/** File name of segment `sequence`. */
export function segmentName(sequence: number): string {
  return `wal-${String(sequence).padStart(12, '0')}.log`;
}

/** The sequence numbers of the segments in `directory`, oldest first. */
export function listSegments(directory: string): number[] {
  return readdirSync(directory)
    .map((name) => SEGMENT_PATTERN.exec(name)?.[1])
    .filter((sequence): sequence is string => sequence !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/** An open segment as the log writes it: the part of `FileHandle` it uses. */
export interface SegmentFile {
  /** May write fewer bytes than given (a full disk): the caller checks `bytesWritten`. */
  writev(buffers: Buffer[]): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  /**
   * Names the file has (0: it was deleted while open). Synchronous: an fstat does no I/O, about
   * 2 µs, where the promise's round trip through the thread pool cost some 35 µs of CPU, once for
   * every write.
   */
  links(): number;
  close(): Promise<void>;
}

/** Opens (creating) a segment for appending. Tests pass one whose files fail on demand. */
export type OpenSegment = (path: string) => Promise<SegmentFile>;

/**
 * Opens the segment at `path` for appending and syncs its folder, so that the new file's name is
 * as durable as the records synced into it.
 */
export const openSegmentFile: OpenSegment = async (path) => {
  const file = await open(path, 'a');
  try {
    const folder = await open(dirname(path), 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  } catch (error) {
    await file.close();
    throw error;
  }
  return {
    writev: (buffers) => file.writev(buffers),
    datasync: () => file.datasync(),
    truncate: (length) => file.truncate(length),
    links: () => fstatSync(file.fd).nlink,
    close: () => file.close(),
  };
};
