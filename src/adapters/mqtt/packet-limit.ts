import type { Socket } from 'node:net';

/**
 * Follows MQTT packet boundaries in a byte stream (fixed header: one type byte, then the remaining
 * length in 1 to 4 bytes of 7 bits) and says when a packet announces more than `limitBytes()`
 * bytes after its fixed header. Bodies are skipped whole, so the cost is per packet, not per byte.
 */
export class PacketMeter {
  readonly #limitBytes: () => number;
  /** Bytes of the current packet's body still to come. */
  #remaining = 0;
  #inLength = false;
  #length = 0;
  #lengthBytes = 0;

  constructor(limitBytes: () => number) {
    this.#limitBytes = limitBytes;
  }

  /** Reads the next bytes; false once a packet is too large or its length is malformed. */
  feed(chunk: Uint8Array): boolean {
    let position = 0;
    while (position < chunk.length) {
      if (this.#remaining > 0) {
        const skipped = Math.min(this.#remaining, chunk.length - position);
        position += skipped;
        this.#remaining -= skipped;
      } else if (!this.#inLength) {
        position += 1;
        this.#inLength = true;
        this.#length = 0;
        this.#lengthBytes = 0;
      } else {
        const byte = chunk[position] as number;
        position += 1;
        this.#length += (byte & 0x7f) * 128 ** this.#lengthBytes;
        this.#lengthBytes += 1;
        if ((byte & 0x80) !== 0) {
          if (this.#lengthBytes === 4) return false;
          continue;
        }
        if (this.#length > this.#limitBytes()) return false;
        this.#inLength = false;
        this.#remaining = this.#length;
      }
    }
    return true;
  }
}

/**
 * Destroys `socket` as soon as a packet read from it announces more than `limitBytes()` bytes,
 * before its body is buffered (mqtt-packet's parser has no limit and would hold up to 256 MiB).
 * Wraps `socket.read`, which is how aedes pulls bytes from its connections.
 */
export function limitPacketSize(socket: Socket, limitBytes: () => number): void {
  const meter = new PacketMeter(limitBytes);
  const read = socket.read.bind(socket);
  socket.read = function readWithinLimit(size?: number): unknown {
    const chunk: unknown = read(size);
    if (chunk instanceof Uint8Array && !meter.feed(chunk)) {
      socket.destroy();
      return null;
    }
    return chunk;
  } as Socket['read'];
}
