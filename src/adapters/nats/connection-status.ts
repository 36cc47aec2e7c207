import { DebugEvents, Events } from 'nats';
import type { NatsConnection, Status } from 'nats';

/** What a process hears about its NATS connection. */
export interface ConnectionListener {
  /** The server `server` (host:port) dropped the connection; the client is reconnecting. */
  lost(server: string): void;
  /** A reconnect attempt to `server` (host:port) is under way. */
  reconnecting(server: string): void;
  /** Connected again, to `server`. */
  restored(server: string): void;
  /** The server reported an asynchronous error (a permission refused, …). */
  serverError(message: string): void;
}

/** Hands one status event of the client to `listener`; other events are ignored. */
export function reportStatus(status: Status, listener: ConnectionListener): void {
  switch (status.type) {
    case Events.Disconnect:
      listener.lost(String(status.data));
      break;
    case Events.Reconnect:
      listener.restored(String(status.data));
      break;
    case DebugEvents.Reconnecting:
      listener.reconnecting(String(status.data));
      break;
    case Events.Error:
      listener.serverError(String(status.data));
      break;
    default:
      break;
  }
}

/**
 * Follows the connection's status events until it closes. The returned promise resolves then, and
 * never rejects.
 */
export async function watchConnection(
  connection: NatsConnection,
  listener: ConnectionListener,
): Promise<void> {
  // The client does not end its status iterators when the connection closes: race them with it.
  const statuses = connection.status()[Symbol.asyncIterator]();
  const closed = connection.closed().then(
    () => ({ done: true }) as const,
    () => ({ done: true }) as const,
  );
  try {
    for (;;) {
      const next = await Promise.race([statuses.next(), closed]);
      if (next.done === true) return;
      reportStatus(next.value, listener);
    }
  } catch {
    // The iterator failed with the connection: nothing more to report.
  }
}
