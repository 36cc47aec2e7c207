import { createServer, type Server } from 'node:net';
import { Aedes, type AuthenticateError, type Client, type PublishPacket } from 'aedes';
import type { ApiKey } from '../../core/auth/key.ts';
import { allows, type Role } from '../../core/auth/role.ts';
import { compileScope, restrictToScope, type SensorScope } from '../../core/auth/scope.ts';
import type { KeyService } from '../../services/auth/keys.ts';
import type { BatchParsers } from '../../services/edge/parsers.ts';
import type { Coalescer } from './coalescer.ts';
import { limitPacketSize } from './packet-limit.ts';
import { isTelemetryTopic, parseTelemetry, telemetryPath } from './telemetry.ts';

export interface BrokerOptions {
  host: string;
  port: number;
  coalescer: Coalescer;
  parsers: BatchParsers;
  keys: KeyService;
  nowMillis?: () => number;
  /**
   * How often the keys of connected clients are checked again (default 5 s). A client whose key was
   * revoked, by this process or by another one sharing the key store, is disconnected by the next
   * check and its publishes are refused from then on.
   */
  keyCheckMillis?: number;
  /** Connections held at once (default 10,000); further ones are closed as they arrive. */
  maxConnections?: number;
  /** Time a connection has to send its CONNECT (default 5 s). */
  connectTimeoutMillis?: number;
  /** Largest packet after login, bytes after the fixed header (default 1 MiB): it bounds a message's payload. */
  maxPacketBytes?: number;
  /** Largest packet before login, the CONNECT included (default 64 KiB). */
  maxPacketBytesBeforeLogin?: number;
}

/** What a connected client logged in with. */
interface Session {
  secret: string;
  keyId: string;
  role: Role;
  /** The sensors the key may write; undefined: every sensor. */
  scope: SensorScope | undefined;
  revoked: boolean;
}

/** Which key's connection holds a client id. */
interface Holder {
  client: Client;
  keyId: string;
}

/** Keys looked up at once during a check, so a large fleet does not flood the key store. */
const KEY_CHECK_CONCURRENCY = 32;

export interface RunningBroker {
  /** The port actually bound (useful when asked for port 0). */
  port: number;
  /** Stops accepting connections and closes the broker. Call `coalescer.drain()` after. */
  close(): Promise<void>;
  /** Topics of the messages the broker keeps retained: none, as retain flags are cleared (for checks). */
  retainedTopics(): Promise<string[]>;
}

/** What the broker's message store (aedes' default, in memory) is read through: its retained messages. */
interface RetainedStore {
  createRetainedStream(pattern: string): AsyncIterable<{ topic: string }>;
}

type Done = (error?: Error | null) => void;

function positive(name: string, value: number): number {
  if (!(value > 0)) throw new RangeError(`${name} must be > 0, got ${value}`);
  return value;
}

/**
 * An error aedes answers a CONNECT with: `returnCode` 2 identifier rejected, 4 bad credentials, 5
 * not authorised (a key that is valid but may not publish).
 */
function refusal(message: string, returnCode: 2 | 4 | 5): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

/**
 * The embedded MQTT broker. Clients log in with a device (or admin) API key as password.
 * Readings on `city/<id>/telemetry` and `city/senml` are stored through the coalescer:
 * a QoS 1 PUBACK is written only after the readings are durable, since aedes sends it only once
 * `authorizePublish` calls back. QoS 0 messages are let through at once while the backlog is
 * under its high-water mark, after which the broker stops reading from the client's socket.
 * Keys are checked at connect and then every `keyCheckMillis` (see `watchKeys`), so publishing
 * costs no key lookup. A device key with `sensors` writes only those (others: `forbidden-sensor`).
 * Nothing is retained (retain flags, of wills too, are cleared), packets are bounded before and
 * after login, and a client id in use by another key's connection is refused.
 */
export async function startBroker(options: BrokerOptions): Promise<RunningBroker> {
  const { coalescer, parsers, keys } = options;
  const now = options.nowMillis ?? Date.now;
  const keyCheckMillis = positive('keyCheckMillis', options.keyCheckMillis ?? 5_000);
  const maxConnections = positive('maxConnections', options.maxConnections ?? 10_000);
  const connectTimeout = positive('connectTimeoutMillis', options.connectTimeoutMillis ?? 5_000);
  const maxPacketBytes = positive('maxPacketBytes', options.maxPacketBytes ?? 1024 * 1024);
  const maxBeforeLogin = positive(
    'maxPacketBytesBeforeLogin',
    options.maxPacketBytesBeforeLogin ?? 64 * 1024,
  );
  const sessions = new WeakMap<Client, Session>();
  const holders = new Map<string, Holder>();

  /** Refuses the id when a live connection of another key holds it; the same key may take its id over. */
  function claimId(client: Client, key: ApiKey): boolean {
    const holder = holders.get(client.id);
    if (holder !== undefined && holder.keyId !== key.id && !holder.client.closed) return false;
    holders.set(client.id, { client, keyId: key.id });
    return true;
  }

  const broker = await Aedes.createBroker({
    connectTimeout,
    authenticate(client, _username, password, done) {
      const secret = password?.toString('utf8') ?? '';
      keys.authenticate(secret).then(
        (key) => {
          if (key === undefined) {
            done(refusal('unknown or revoked API key', 4), false);
            return;
          }
          if (!allows(key.role, 'ingest')) {
            done(refusal(`a ${key.role} key may not publish readings: use a device or admin key`, 5), false);
            return;
          }
          if (!claimId(client, key)) {
            done(refusal(`client id '${client.id}' is in use by another key`, 2), false);
            return;
          }
          const scope = key.sensors === undefined ? undefined : compileScope(key.sensors);
          sessions.set(client, { secret, keyId: key.id, role: key.role, scope, revoked: false });
          done(null, true);
        },
        (error: unknown) => done(Object.assign(error as Error, { returnCode: 3 }), false),
      );
    },
    authorizePublish(client, packet: PublishPacket, done: Done) {
      const session = client === null ? undefined : sessions.get(client);
      if (client !== null && (session === undefined || session.revoked)) {
        done(new Error('API key revoked'));
        return;
      }
      if (!isTelemetryTopic(packet.topic)) {
        done(new Error(`topic '${packet.topic}' is not city/<sensor>/telemetry or city/senml`));
        return;
      }
      // Readings go to the store; a retained copy would be kept in memory for ever (wills too).
      packet.retain = false;
      const parsed = parseTelemetry(parsers, packet.topic, packet.payload as Buffer, now());
      const scope = session?.scope;
      const batch = scope === undefined ? parsed : restrictToScope(parsed, scope);
      const path = telemetryPath(packet.topic);
      if (packet.qos === 0) {
        // Nobody waits on a QoS 0 message: no promise for it, and no wait while there is room.
        coalescer.put(batch, path);
        if (coalescer.hasRoom) done(null);
        else coalescer.admit().then(() => done(null), done);
        return;
      }
      coalescer.add(batch, path).then(
        (settled) => done(settled === 'stored' ? null : new Error('server is shutting down')),
        (error: unknown) => done(error as Error),
      );
    },
    // No subscription, of any key (SUBACK 0x80): readings are read from the API (the live stream
    // applies each key's scope and carries stored readings only). A subscriber here got every raw
    // payload, refused ones too, and a persistent session's queue grew in memory without bound.
    authorizeSubscribe(_client, _subscription, done) {
      done(null, null);
    },
  });

  broker.on('clientDisconnect', (client) => {
    if (holders.get(client.id)?.client === client) holders.delete(client.id);
  });
  const server: Server = createServer((socket) => {
    const client = broker.handle(socket);
    limitPacketSize(socket, () => (sessions.has(client) ? maxPacketBytes : maxBeforeLogin));
  });
  server.maxConnections = maxConnections;
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
  const stopWatching = watchKeys(broker, sessions, keys, keyCheckMillis);

  return {
    port,
    async retainedTopics() {
      const store = (broker as unknown as { persistence: RetainedStore }).persistence;
      const topics: string[] = [];
      for await (const packet of store.createRetainedStream('#')) topics.push(packet.topic);
      return topics;
    },
    async close() {
      stopWatching();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await closed;
    },
  };
}

/**
 * Checks the key of every connected client again every `periodMillis`, one lookup per distinct
 * key, and disconnects the clients of a key that is revoked (or no longer may ingest). A check
 * still running when the next is due is not doubled; a key store that cannot answer leaves the
 * clients connected until a later check can. Returns the function that stops the checks.
 */
function watchKeys(
  broker: Aedes,
  sessions: WeakMap<Client, Session>,
  keys: KeyService,
  periodMillis: number,
): () => void {
  const connected = new Set<Client>();
  broker.on('client', (client) => connected.add(client));
  broker.on('clientDisconnect', (client) => connected.delete(client));
  let running = false;

  async function checkOne(secret: string, clients: Client[]): Promise<void> {
    const key = await keys.authenticate(secret).catch(() => null);
    if (key === null || (key !== undefined && allows(key.role, 'ingest'))) return;
    for (const client of clients) {
      const session = sessions.get(client);
      if (session !== undefined) session.revoked = true;
      client.close();
    }
  }

  async function checkAll(): Promise<void> {
    if (running) return;
    running = true;
    try {
      const bySecret = new Map<string, Client[]>();
      for (const client of connected) {
        const session = sessions.get(client);
        if (session === undefined || session.revoked) continue;
        const clients = bySecret.get(session.secret);
        if (clients === undefined) bySecret.set(session.secret, [client]);
        else clients.push(client);
      }
      const entries = [...bySecret];
      for (let start = 0; start < entries.length; start += KEY_CHECK_CONCURRENCY) {
        const chunk = entries.slice(start, start + KEY_CHECK_CONCURRENCY);
        await Promise.all(chunk.map(([secret, clients]) => checkOne(secret, clients)));
      }
    } finally {
      running = false;
    }
  }

  const timer = setInterval(() => void checkAll().catch(() => undefined), periodMillis);
  timer.unref();
  return () => clearInterval(timer);
}
