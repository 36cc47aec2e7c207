import { connectAsync, type IPublishPacket, type MqttClient } from 'mqtt';
import { redactUrls } from '../../core/redact.ts';
import type { BatchParsers } from '../../services/edge/parsers.ts';
import type { Coalescer } from './coalescer.ts';
import { parseTelemetry } from './telemetry.ts';

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
  nowMillis?: () => number;
}

/**
 * Reads readings from an external broker (Mosquitto, EMQX) through an MQTT 5 shared subscription
 * `$share/<group>/city/+/telemetry` (and `city/senml`) at QoS 1. mqtt.js sends the PUBACK only after
 * `handleMessage` calls back, which here happens once the readings are durable.
 */
export async function startSubscriber(options: SubscriberOptions): Promise<{ close(): Promise<void> }> {
  const group = options.group ?? 'urban-brain';
  const now = options.nowMillis ?? Date.now;
  const count = options.connections ?? 4;
  const clients: MqttClient[] = [];
  for (let index = 0; index < count; index += 1) {
    const client = await connectAsync(options.url, {
      protocolVersion: 5,
      clean: true,
      reconnectPeriod: 1000,
      clientId: `urban-brain-${process.pid}-${index}-${Math.random().toString(36).slice(2, 8)}`,
    });
    client.handleMessage = (packet: IPublishPacket, callback: (error?: Error) => void) => {
      const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
      const stored = options.coalescer.add(parseTelemetry(options.parsers, packet.topic, payload, now()));
      const ready = packet.qos === 0 ? options.coalescer.admit().then(() => 'stored' as const) : stored;
      ready.then(
        (settled) => callback(settled === 'stored' ? undefined : new Error('shutting down')),
        (error: unknown) => callback(error as Error),
      );
    };
    client.on('error', (error) =>
      // Credentials go in the URL: the log shows it (and the error) without them.
      options.log(redactUrls(`mqtt ${options.url}: ${error.message}`)),
    );
    await client.subscribeAsync([`$share/${group}/city/+/telemetry`, `$share/${group}/city/senml`], {
      qos: 1,
    });
    clients.push(client);
  }
  return {
    async close() {
      await Promise.all(clients.map((client) => client.endAsync()));
    },
  };
}
