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
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function align(offset: number, to: number): number {
  return (offset + to - 1) & ~(to - 1);
}

/** Encodes a batch as one framed record (header included). */
export function encodeWalRecord(batch: WalBatch): Buffer {
  const encodedIds = batch.defines.map(([, id]) => encoder.encode(id));
  let size = HEADER_BYTES + 8;
  for (const bytes of encodedIds) size += 8 + align(bytes.length, 4);
  size = align(size, 8);
  const keysOffset = size;
  size = align(size + batch.length * 4, 8);
  const timestampsOffset = size;
  const valuesOffset = timestampsOffset + batch.length * 8;
  size = valuesOffset + batch.length * 8;
  const buffer = Buffer.alloc(size);
  const view = new DataView(buffer.buffer, buffer.byteOffset, size);
  view.setUint32(HEADER_BYTES, batch.defines.length, true);
  view.setUint32(HEADER_BYTES + 4, batch.length, true);
  let offset = HEADER_BYTES + 8;
  batch.defines.forEach(([key], i) => {
    const bytes = encodedIds[i] as Uint8Array;
    view.setUint32(offset, key, true);
    view.setUint32(offset + 4, bytes.length, true);
    buffer.set(bytes, offset + 8);
    offset += 8 + align(bytes.length, 4);
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

/** Result of decoding the records of one segment. `tornBytes` is the length of an unreadable tail. */
export interface DecodedSegment {
  batches: WalBatch[];
  tornBytes: number;
}

/**
 * Decodes every whole, checksum-valid record from the start of a segment. Decoding stops at the
 * first record that is cut short or fails its checksum (a torn write at a crash): what follows it
 * was never acknowledged.
 */
export function decodeWalSegment(data: Buffer): DecodedSegment {
  const batches: WalBatch[] = [];
  let offset = 0;
  while (offset + HEADER_BYTES <= data.length) {
    const payloadBytes = data.readUInt32LE(offset);
    const checksum = data.readUInt32LE(offset + 4);
    const end = offset + HEADER_BYTES + payloadBytes;
    if (payloadBytes < 8 || end > data.length) break;
    const record = data.subarray(offset, end);
    if (crc32(record.subarray(HEADER_BYTES)) !== checksum) break;
    batches.push(decodeRecord(record));
    offset = end;
  }
  return { batches, tornBytes: data.length - offset };
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
