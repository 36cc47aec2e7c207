import { createServer, type Server } from 'node:net';
import { Aedes, type Client, type PublishPacket } from 'aedes';
import { allows } from '../../core/auth/role.ts';
import type { KeyService } from '../../services/auth/keys.ts';
import type { BatchParsers } from '../../services/edge/parsers.ts';
import type { Coalescer } from './coalescer.ts';
import { isTelemetryTopic, parseTelemetry } from './telemetry.ts';

export interface BrokerOptions {
  host: string;
  port: number;
  coalescer: Coalescer;
  parsers: BatchParsers;
  keys: KeyService;
  nowMillis?: () => number;
}

export interface RunningBroker {
  /** The port actually bound (useful when asked for port 0). */
  port: number;
  /** Stops accepting connections and closes the broker. Call `coalescer.drain()` after. */
  close(): Promise<void>;
}

type Done = (error?: Error | null) => void;

/**
 * The embedded MQTT broker. Clients log in with a device (or admin) API key as password.
 * Readings on `city/<id>/telemetry` and `city/senml` are stored through the coalescer:
 * a QoS 1 PUBACK is written only after the readings are durable, since aedes sends it only once
 * `authorizePublish` calls back. QoS 0 messages are let through at once while the backlog is
 * under its high-water mark, after which the broker stops reading from the client's socket.
 */
export async function startBroker(options: BrokerOptions): Promise<RunningBroker> {
  const { coalescer, parsers, keys } = options;
  const now = options.nowMillis ?? Date.now;
  const roles = new WeakMap<Client, string>();

  const broker = await Aedes.createBroker({
    authenticate(client, _username, password, done) {
      keys.authenticate(password?.toString('utf8') ?? '').then(
        (key) => {
          if (key === undefined || !allows(key.role, 'ingest')) {
            const error = Object.assign(new Error('bad API key or not a device key'), { returnCode: 4 });
            done(error, false);
            return;
          }
          roles.set(client, key.role);
          done(null, true);
        },
        (error: unknown) => done(Object.assign(error as Error, { returnCode: 3 }), false),
      );
    },
    authorizePublish(client, packet: PublishPacket, done: Done) {
      if (!isTelemetryTopic(packet.topic)) {
        done(new Error(`topic '${packet.topic}' is not city/<sensor>/telemetry or city/senml`));
        return;
      }
      const batch = parseTelemetry(parsers, packet.topic, packet.payload as Buffer, now());
      const stored = coalescer.add(batch);
      if (packet.qos === 0) {
        coalescer.admit().then(() => done(null), done);
        return;
      }
      stored.then(
        (settled) => done(settled === 'stored' ? null : new Error('server is shutting down')),
        (error: unknown) => done(error as Error),
      );
    },
    authorizeSubscribe(client, subscription, done) {
      const role = roles.get(client);
      const mayRead = role === 'admin' || role === 'viewer' || role === 'operator';
      done(null, mayRead ? subscription : null);
    },
  });

  const server: Server = createServer(broker.handle);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => resolve());
    });
  } catch (error) {
    // The broker runs timers of its own (heartbeats): a broker that never listened must be closed too.
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw error;
  }
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;

  return {
    port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await closed;
    },
  };
}
