import { randomBytes } from 'node:crypto';
import { connect, type IPublishPacket, type MqttClient } from 'mqtt';
import { redactUrls } from '../../core/redact.ts';
import type { BatchParsers } from '../../services/edge/parsers.ts';
import { FailureEpisodes } from '../../services/ingest/failure-episodes.ts';
import { Acknowledgements, type AckStream } from './acknowledgements.ts';
import type { Coalescer } from './coalescer.ts';
import { parseTelemetry, telemetryPath } from './telemetry.ts';

export interface SubscriberOptions {
  /** `mqtt://user:key@host:1883`; credentials, if any, go in the URL. */
  url: string;
  coalescer: Coalescer;
  parsers: BatchParsers;
  log: (line: string) => void;
  /** Connections opened to the broker; they share the subscription, so work is spread over them. */
  connections?: number;
  /** Shared-subscription group: every instance in the same group gets a share of the messages. */
  group?: string;
  /**
   * Client id of this server (`<clientId>-<n>` per connection), the same at every start: the
   * broker then keeps each connection's session, with the messages not yet acknowledged, for
   * `sessionExpirySeconds` and sends them again when the server is back. Without it the sessions
   * are clean (ids random, nothing kept): what was in flight when the server died is lost.
   */
  clientId?: string;
  /**
   * How long the broker keeps a session of a server that is gone (default 1 day), with its
   * subscription and the QoS 1 messages queued for it; MQTT 5 Session Expiry Interval, at most
   * 4,294,967,294 s (the largest value means never to an MQTT 5 broker).
   */
  sessionExpirySeconds?: number;
  /** QoS 1 messages the broker may have unacknowledged on one connection (MQTT 5 Receive Maximum, default 1,000). */
  receiveMaximum?: number;
  nowMillis?: () => number;
  /** Longest wait between two attempts to reach a lost broker (default 10 s); the first is after 1 s, then doubling. */
  maxReconnectMillis?: number;
}

/** Wait before the first attempt to reach a lost broker again. */
const firstReconnectMillis = 1_000;

/** Told to mqtt.js instead of calling back plainly, so it sends no PUBACK of its own (see `Acknowledgements`). */
const acknowledgedLater = new Error('acknowledged once durable');

/**
 * Reads readings from an external broker (Mosquitto, EMQX) through an MQTT 5 shared subscription
 * `$share/<group>/city/+/telemetry` (and `city/senml`) at QoS 1. A QoS 1 message is acknowledged
 * once its readings are durable; up to `receiveMaximum` of them per connection are stored
 * together. While the store lags (see `Coalescer.admit`) nothing more is read, so the broker
 * holds the backlog. Failures to reach the broker are logged once, then retried after 1 s, 2 s,
 * 4 s … up to `maxReconnectMillis`, also when the broker refuses the connection (CONNACK error).
 * Stopping keeps the subscription: the broker queues this server's share of new messages in its
 * session until it is back (within the session expiry and the broker's queue limits).
 */
export async function startSubscriber(options: SubscriberOptions): Promise<{ close(): Promise<void> }> {
  const count = options.connections ?? 4;
  const expirySeconds = options.sessionExpirySeconds ?? 86_400;
  if (!Number.isInteger(expirySeconds) || expirySeconds < 1 || expirySeconds > 4_294_967_294)
    throw new Error(`sessionExpirySeconds must be a whole number from 1 to 4294967294, not ${expirySeconds}`);
  const maxReconnectMillis = options.maxReconnectMillis ?? 10_000;
  const persistent = options.clientId !== undefined;
  const clientId = options.clientId ?? `urban-brain-${randomBytes(6).toString('hex')}`;
  const broker = redactUrls(options.url);
  const episodes = new FailureEpisodes((line) => options.log(redactUrls(line)));
  const task = `from the MQTT broker ${broker}`;
  let closing = false;
  // Before every connection is up a failure fails the start instead (see `connected`).
  let started = false;
  const clients: { client: MqttClient; acknowledgements: Acknowledgements }[] = [];
  const share = `$share/${options.group ?? 'urban-brain'}`;
  const filters = [`${share}/city/+/telemetry`, `${share}/city/senml`];

  function open(index: number): MqttClient {
    const acknowledgements = new Acknowledgements();
    const client = connect(options.url, {
      protocolVersion: 5,
      clean: !persistent,
      reconnectPeriod: firstReconnectMillis,
      // A refusal (bad credentials, server busy or unavailable) while running is retried like a lost connection.
      reconnectOnConnackError: true,
      clientId: `${clientId}-${index}`,
      properties: {
        sessionExpiryInterval: persistent ? expirySeconds : 0,
        receiveMaximum: options.receiveMaximum ?? 1_000,
      },
    });
    // Set before the connection opens: a resumed session delivers its messages right after CONNACK.
    client.handleMessage = (packet, callback) => {
      // Stopping: nothing more is taken; what is not acknowledged is sent again after the restart.
      if (closing) {
        callback(packet.qos === 1 ? acknowledgedLater : undefined);
        return;
      }
      const stored = receive(options, packet);
      if (packet.qos === 1) {
        acknowledgements.add(client.stream as unknown as AckStream, packet.messageId!, stored);
      }
      void options.coalescer.admit().then(() => callback(packet.qos === 1 ? acknowledgedLater : undefined));
    };
    const retrying = `reconnecting after 1 s, backing off to ${maxReconnectMillis / 1000} s`;
    client.on('error', (error) => {
      if (started) episodes.failed(task, error, retrying);
    });
    client.on('close', () => {
      if (!started || closing) return;
      episodes.failed(task, new Error('connection closed'), retrying);
      // Read by mqtt.js when it schedules the next attempt; reset once connected.
      client.options.reconnectPeriod = Math.min(client.options.reconnectPeriod! * 2, maxReconnectMillis);
    });
    client.on('connect', () => {
      client.options.reconnectPeriod = firstReconnectMillis;
      episodes.succeeded(task);
    });
    clients.push({ client, acknowledgements });
    return client;
  }

  /**
   * Takes no more messages, acknowledges what was stored and disconnects. The session stays, with
   * its subscription and the messages left unacknowledged, so the broker keeps queueing this
   * server's share of new messages for the next start. (Unsubscribing would lose every message
   * published while no instance runs.)
   */
  async function close(): Promise<void> {
    closing = true;
    await Promise.all(clients.map(({ acknowledgements }) => acknowledgements.settled()));
    await Promise.all(clients.map(({ client }) => client.endAsync()));
  }

  try {
    for (let index = 0; index < count; index += 1) {
      const client = open(index);
      await connected(client, broker);
      await client.subscribeAsync(filters, { qos: 1 });
    }
  } catch (error) {
    await close();
    throw error;
  }
  started = true;
  return { close };
}

/** Hands one message's readings to the coalescer; resolves when they are durable. */
function receive(options: SubscriberOptions, packet: IPublishPacket) {
  const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
  const now = options.nowMillis ?? Date.now;
  return options.coalescer.add(
    parseTelemetry(options.parsers, packet.topic, payload, now()),
    telemetryPath(packet.topic),
  );
}

/** Resolves on the first CONNACK; a start that cannot reach the broker fails with one clear line. */
function connected(client: MqttClient, broker: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onConnect = () => {
      client.off('error', onError);
      resolve();
    };
    const onError = (error: Error) => {
      client.off('connect', onConnect);
      reject(new Error(redactUrls(`MQTT broker ${broker}: ${error.message}`)));
    };
    client.once('connect', onConnect);
    client.once('error', onError);
  });
}
