import type { Settled } from './coalescer.ts';

/** What a connection's acknowledgements are written to: the socket the messages came on. */
export interface AckStream {
  readonly destroyed: boolean;
  write(bytes: Uint8Array): unknown;
  destroy(): unknown;
}

/**
 * An MQTT 5 PUBACK with reason 0 (success) and no properties: fixed header 0x40, remaining
 * length 2, the packet identifier (MQTT 5.0 §3.4.2.1: the reason code may then be left out).
 */
export function pubackBytes(messageId: number): Uint8Array {
  return Uint8Array.of(0x40, 2, messageId >> 8, messageId & 0xff);
}

/**
 * The PUBACKs of one connection, written once each message's readings are durable and in the
 * order the messages arrived (MQTT 5.0 §4.6), so many messages can be stored in one batch
 * instead of one at a time. A message that is not stored gets no PUBACK: when the server is
 * stopping the broker sends it again to the next session; when the store failed the connection
 * is closed, so the broker sends everything unacknowledged again once it is open again.
 */
export class Acknowledgements {
  #last: Promise<void> = Promise.resolve();

  /** Queues the PUBACK of `messageId`, received on `stream`, behind those of earlier messages. */
  add(stream: AckStream, messageId: number, stored: Promise<Settled>): void {
    this.#last = this.#last
      .then(() => stored)
      .then(
        (settled) => {
          if (settled === 'stored' && !stream.destroyed) stream.write(pubackBytes(messageId));
        },
        () => {
          if (!stream.destroyed) stream.destroy();
        },
      );
  }

  /** Resolves once every queued message is acknowledged or given up on. */
  settled(): Promise<void> {
    return this.#last;
  }
}
