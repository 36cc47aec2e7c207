import type { DetectorState } from '../../ports/maintenance.ts';

/** Binary form of detector states: count, then per state id, lastTs, lastAlertAt (NaN: none), bytes. */
export function encodeStates(states: Iterable<DetectorState>): Uint8Array {
  const parts: Buffer[] = [];
  let count = 0;
  for (const state of states) {
    const id = Buffer.from(state.sensor, 'utf8');
    const head = Buffer.alloc(2 + id.length + 8 + 8 + 4);
    head.writeUInt16LE(id.length, 0);
    id.copy(head, 2);
    head.writeDoubleLE(state.lastTs, 2 + id.length);
    head.writeDoubleLE(state.lastAlertAt ?? Number.NaN, 10 + id.length);
    head.writeUInt32LE(state.state.length, 18 + id.length);
    parts.push(head, Buffer.from(state.state.buffer, state.state.byteOffset, state.state.byteLength));
    count += 1;
  }
  const countBytes = Buffer.alloc(4);
  countBytes.writeUInt32LE(count, 0);
  return Buffer.concat([countBytes, ...parts]);
}

export function decodeStates(data: Uint8Array): DetectorState[] {
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const count = buffer.readUInt32LE(0);
  const states: DetectorState[] = [];
  let offset = 4;
  for (let index = 0; index < count; index += 1) {
    const idLength = buffer.readUInt16LE(offset);
    const sensor = buffer.toString('utf8', offset + 2, offset + 2 + idLength);
    offset += 2 + idLength;
    const lastTs = buffer.readDoubleLE(offset);
    const lastAlertAt = buffer.readDoubleLE(offset + 8);
    const length = buffer.readUInt32LE(offset + 16);
    offset += 20;
    states.push({
      sensor,
      lastTs,
      lastAlertAt: Number.isNaN(lastAlertAt) ? null : lastAlertAt,
      state: Uint8Array.from(buffer.subarray(offset, offset + length)),
    });
    offset += length;
  }
  return states;
}
