import { crc32 } from 'node:zlib';
import type { DetectorState } from '../../ports/maintenance.ts';

/**
 * The bytes of a snapshot file of detector states (little-endian throughout):
 *
 *   header  'UBDS' · version u32 · savedAt f64 (ms; NaN until the snapshot ends) · chunks u32 · 0 u32
 *   chunk   'UBSC' · states u32 · payload bytes u32 · CRC-32 of the payload u32 · payload
 *   state   sensor bytes u32 · sensor (UTF-8) · lastTs f64 · lastAlertAt f64 (NaN: none) ·
 *           state bytes u32 · state
 */
export const HEADER_BYTES = 24;
export const CHUNK_HEADER_BYTES = 16;
const FILE_MAGIC = 0x53444255; // 'UBDS'
const CHUNK_MAGIC = 0x43534255; // 'UBSC'
const VERSION = 1;
/** Larger than any chunk a save writes (10,000 states of a few kB): a bigger length is damage. */
export const MAX_PAYLOAD_BYTES = 1 << 30;

export interface SnapshotHeader {
  savedAt: number;
  chunks: number;
}

export function encodeHeader(header: SnapshotHeader): Buffer {
  const bytes = Buffer.alloc(HEADER_BYTES);
  bytes.writeUInt32LE(FILE_MAGIC, 0);
  bytes.writeUInt32LE(VERSION, 4);
  bytes.writeDoubleLE(header.savedAt, 8);
  bytes.writeUInt32LE(header.chunks, 16);
  return bytes;
}

/** The header, or why these bytes are not one. */
export function decodeHeader(bytes: Buffer): SnapshotHeader | string {
  if (bytes.byteLength < HEADER_BYTES) return `shorter (${bytes.byteLength} bytes) than its header`;
  if (bytes.readUInt32LE(0) !== FILE_MAGIC) return 'not a snapshot of detector states (no UBDS mark)';
  const version = bytes.readUInt32LE(4);
  if (version !== VERSION) return `snapshot version ${version}, this build reads version ${VERSION}`;
  return { savedAt: bytes.readDoubleLE(8), chunks: bytes.readUInt32LE(16) };
}

/** One chunk: its header and payload in one buffer, ready to append. */
export function encodeChunk(states: readonly DetectorState[]): Buffer {
  let payloadBytes = 0;
  for (const saved of states)
    payloadBytes += 4 + Buffer.byteLength(saved.sensor, 'utf8') + 16 + 4 + saved.state.byteLength;
  const bytes = Buffer.allocUnsafe(CHUNK_HEADER_BYTES + payloadBytes);
  let at = CHUNK_HEADER_BYTES;
  for (const saved of states) {
    const sensorBytes = bytes.write(saved.sensor, at + 4, 'utf8');
    bytes.writeUInt32LE(sensorBytes, at);
    at += 4 + sensorBytes;
    bytes.writeDoubleLE(saved.lastTs, at);
    bytes.writeDoubleLE(saved.lastAlertAt ?? Number.NaN, at + 8);
    bytes.writeUInt32LE(saved.state.byteLength, at + 16);
    at += 20;
    bytes.set(saved.state, at);
    at += saved.state.byteLength;
  }
  const payload = bytes.subarray(CHUNK_HEADER_BYTES);
  bytes.writeUInt32LE(CHUNK_MAGIC, 0);
  bytes.writeUInt32LE(states.length, 4);
  bytes.writeUInt32LE(payloadBytes, 8);
  bytes.writeUInt32LE(crc32(payload), 12);
  return bytes;
}

export interface ChunkHeader {
  states: number;
  payloadBytes: number;
  crc: number;
}

/** A chunk's header, or why these bytes are not one. */
export function decodeChunkHeader(bytes: Buffer): ChunkHeader | string {
  if (bytes.byteLength < CHUNK_HEADER_BYTES) return 'ends inside a chunk header';
  if (bytes.readUInt32LE(0) !== CHUNK_MAGIC) return 'has no chunk mark (UBSC) where a chunk begins';
  const payloadBytes = bytes.readUInt32LE(8);
  if (payloadBytes > MAX_PAYLOAD_BYTES)
    return `has a chunk of ${payloadBytes} bytes, more than a save writes`;
  return { states: bytes.readUInt32LE(4), payloadBytes, crc: bytes.readUInt32LE(12) };
}

/**
 * The states of a chunk's payload, or why the payload is damaged. Each state is a view into the
 * payload, not a copy (a million small copies took 2 s of a restore): whoever keeps one copies it,
 * as the detectors and the scoring thread's packing do.
 */
export function decodePayload(header: ChunkHeader, payload: Buffer): DetectorState[] | string {
  if (crc32(payload) !== header.crc) return 'has a chunk whose checksum does not match its bytes';
  const states: DetectorState[] = [];
  let at = 0;
  for (let index = 0; index < header.states; index++) {
    if (at + 4 > payload.byteLength) return 'has a chunk shorter than its states';
    const sensorBytes = payload.readUInt32LE(at);
    const fieldsAt = at + 4 + sensorBytes;
    if (fieldsAt + 20 > payload.byteLength) return 'has a chunk shorter than its states';
    const sensor = payload.toString('utf8', at + 4, fieldsAt);
    const lastTs = payload.readDoubleLE(fieldsAt);
    const lastAlertAt = payload.readDoubleLE(fieldsAt + 8);
    const stateBytes = payload.readUInt32LE(fieldsAt + 16);
    const stateAt = fieldsAt + 20;
    if (stateAt + stateBytes > payload.byteLength) return 'has a chunk shorter than its states';
    states.push({
      sensor,
      state: new Uint8Array(payload.buffer, payload.byteOffset + stateAt, stateBytes),
      lastTs,
      lastAlertAt: Number.isNaN(lastAlertAt) ? null : lastAlertAt,
    });
    at = stateAt + stateBytes;
  }
  if (at !== payload.byteLength) return 'has a chunk longer than its states';
  return states;
}
