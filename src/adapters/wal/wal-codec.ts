import { crc32 } from 'node:zlib';

/**
 * One write-ahead-log record: a frame header (u32 payload length, u32 CRC-32 of the payload)
 * then the payload, 8-byte aligned:
 *   u32 defineCount, u32 readingCount,
 *   defineCount × (u32 key, u32 byteLength, UTF-8 id, padding to 4),
 *   padding to 8, u32 keys[readingCount], padding to 8, f64 ts[readingCount], f64 values[readingCount].
 * Keys are the store's dense sensor keys; a segment declares each key (with its id) before first use,
 * so every segment replays on its own.
 */
export interface WalBatch {
  /** (key, id) pairs declared by this record. */
  defines: readonly (readonly [number, string])[];
  keys: Uint32Array;
  timestamps: Float64Array;
  values: Float64Array;
  length: number;
}

const HEADER_BYTES = 8;
const decoder = new TextDecoder();

function align(offset: number, to: number): number {
  return (offset + to - 1) & ~(to - 1);
}

/**
 * Encodes a batch as one framed record (header included), in the memory `allocate` gives for its
 * size (zeroed or not: every byte of the record is written, padding included).
 */
export function encodeWalRecord(
  batch: WalBatch,
  allocate: (bytes: number) => Buffer = Buffer.allocUnsafe,
): Buffer {
  // Byte lengths first, then each id written straight into the record (no array made per id).
  const idBytes = batch.defines.map(([, id]) => Buffer.byteLength(id, 'utf8'));
  let size = HEADER_BYTES + 8;
  for (const bytes of idBytes) size += 8 + align(bytes, 4);
  size = align(size, 8);
  const keysOffset = size;
  size = align(size + batch.length * 4, 8);
  const timestampsOffset = size;
  const valuesOffset = timestampsOffset + batch.length * 8;
  size = valuesOffset + batch.length * 8;
  const buffer = allocate(size);
  // The padding after each id and after the keys; the rest is written below.
  buffer.fill(0, HEADER_BYTES, keysOffset);
  buffer.fill(0, keysOffset + batch.length * 4, timestampsOffset);
  const view = new DataView(buffer.buffer, buffer.byteOffset, size);
  view.setUint32(HEADER_BYTES, batch.defines.length, true);
  view.setUint32(HEADER_BYTES + 4, batch.length, true);
  let offset = HEADER_BYTES + 8;
  batch.defines.forEach(([key, id], i) => {
    const bytes = idBytes[i] as number;
    view.setUint32(offset, key, true);
    view.setUint32(offset + 4, bytes, true);
    buffer.write(id, offset + 8, bytes, 'utf8');
    offset += 8 + align(bytes, 4);
  });
  new Uint32Array(buffer.buffer, buffer.byteOffset + keysOffset, batch.length).set(
    batch.keys.subarray(0, batch.length),
  );
  new Float64Array(buffer.buffer, buffer.byteOffset + timestampsOffset, batch.length).set(
    batch.timestamps.subarray(0, batch.length),
  );
  new Float64Array(buffer.buffer, buffer.byteOffset + valuesOffset, batch.length).set(
    batch.values.subarray(0, batch.length),
  );
  view.setUint32(0, size - HEADER_BYTES, true);
  view.setUint32(4, crc32(buffer.subarray(HEADER_BYTES)), true);
  return buffer;
}

/** A stretch of a segment that holds no readable record. */
export interface SegmentDamage {
  /** Byte offset of the first unreadable record. */
  offset: number;
  /** Length of the unreadable stretch (to the next readable record or the end of the segment). */
  bytes: number;
  /** What is wrong with the record at `offset`. */
  reason: string;
}

/** The readable records of one segment and the stretches between them that could not be read. */
export interface DecodedSegment {
  /** Every whole, checksum-valid record, in order (also those after a damaged stretch). */
  batches: WalBatch[];
  /** Byte offset of each batch. */
  offsets: number[];
  damage: SegmentDamage[];
}

/**
 * Where the record at `offset` ends, or why it is not a whole record. Checks the frame length,
 * the layout the counts in the payload imply and the checksum.
 */
function recordEnd(data: Buffer, offset: number): { end: number } | { problem: string } {
  const left = data.length - offset;
  if (left < HEADER_BYTES) return { problem: `${left} bytes, less than a record header` };
  const payloadBytes = data.readUInt32LE(offset);
  if (payloadBytes < 8 || payloadBytes % 8 !== 0) return { problem: `invalid record length ${payloadBytes}` };
  const end = offset + HEADER_BYTES + payloadBytes;
  if (end > data.length)
    return { problem: `record declares ${payloadBytes} bytes, ${left - HEADER_BYTES} are left` };
  const defineCount = data.readUInt32LE(offset + HEADER_BYTES);
  const length = data.readUInt32LE(offset + HEADER_BYTES + 4);
  let size = HEADER_BYTES + 8;
  for (let i = 0; i < defineCount && size <= payloadBytes; i++) {
    size += 8 + align(data.readUInt32LE(offset + size + 4), 4);
  }
  size = align(size, 8);
  size = align(size + length * 4, 8) + length * 16;
  if (size !== HEADER_BYTES + payloadBytes) return { problem: 'record layout does not match its length' };
  if (crc32(data.subarray(offset + HEADER_BYTES, end)) !== data.readUInt32LE(offset + 4))
    return { problem: 'checksum mismatch' };
  return { end };
}

/**
 * Decodes every whole, checksum-valid record of a segment. After an unreadable record, decoding
 * goes on at the next offset (records are 8-byte aligned) where a valid record starts, so the
 * caller can tell a torn tail (nothing readable after it) from damage in the middle.
 */
export function decodeWalSegment(data: Buffer): DecodedSegment {
  const decoded: DecodedSegment = { batches: [], offsets: [], damage: [] };
  let offset = 0;
  while (offset < data.length) {
    const found = recordEnd(data, offset);
    if ('end' in found) {
      decoded.batches.push(decodeRecord(data.subarray(offset, found.end)));
      decoded.offsets.push(offset);
      offset = found.end;
      continue;
    }
    let next = offset + 8;
    while (next < data.length && !('end' in recordEnd(data, next))) next += 8;
    next = Math.min(next, data.length);
    decoded.damage.push({ offset, bytes: next - offset, reason: found.problem });
    offset = next;
  }
  return decoded;
}

function decodeRecord(record: Buffer): WalBatch {
  // Copy to an aligned buffer so typed-array views can be taken at the recorded offsets.
  const aligned = new Uint8Array(record.length);
  aligned.set(record);
  const view = new DataView(aligned.buffer);
  const defineCount = view.getUint32(HEADER_BYTES, true);
  const length = view.getUint32(HEADER_BYTES + 4, true);
  const defines: [number, string][] = [];
  let offset = HEADER_BYTES + 8;
  for (let i = 0; i < defineCount; i++) {
    const key = view.getUint32(offset, true);
    const byteLength = view.getUint32(offset + 4, true);
    defines.push([key, decoder.decode(aligned.subarray(offset + 8, offset + 8 + byteLength))]);
    offset += 8 + align(byteLength, 4);
  }
  const keysOffset = align(offset, 8);
  const timestampsOffset = align(keysOffset + length * 4, 8);
  return {
    defines,
    keys: new Uint32Array(aligned.buffer, keysOffset, length),
    timestamps: new Float64Array(aligned.buffer, timestampsOffset, length),
    values: new Float64Array(aligned.buffer, timestampsOffset + length * 8, length),
    length,
  };
}
