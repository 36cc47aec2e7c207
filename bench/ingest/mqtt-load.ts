import mqtt, { type MqttClient } from 'mqtt';
import type { LoadResult } from './http-load.ts';

export interface MqttMessage {
  topic: string;
  payload: string;
  readings: number;
}

async function connect(port: number, password: string): Promise<MqttClient> {
  const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
    username: 'bench',
    password,
    reconnectPeriod: 0,
    protocolVersion: 4,
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return client;
}

/**
 * Publishes every message over `connections` clients. QoS 1: each message counts once its PUBACK
 * (sent by the server only when durable) arrives, with at most `inflight` unacknowledged per client.
 * QoS 0: the run ends when `done()` says the server has stored the last one.
 */
export async function publishMessages(
  port: number,
  password: string,
  messages: readonly MqttMessage[],
  options: { connections: number; qos: 0 | 1; inflight: number; done?: () => Promise<boolean> },
): Promise<LoadResult> {
  const clients = await Promise.all(
    Array.from({ length: options.connections }, () => connect(port, password)),
  );
  const latenciesMillis: number[] = [];
  let next = 0;
  let readings = 0;
  const started = performance.now();
  async function worker(client: MqttClient): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    while (next < messages.length) {
      const message = messages[next++] as MqttMessage;
      const sent = performance.now();
      const published = client.publishAsync(message.topic, message.payload, { qos: options.qos }).then(() => {
        if (options.qos === 1) latenciesMillis.push(performance.now() - sent);
        readings += message.readings;
      });
      if (options.qos === 0) {
        await published;
        continue;
      }
      const tracked = published.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
      if (inFlight.size >= options.inflight) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  }
  await Promise.all(clients.map((client) => worker(client)));
  if (options.qos === 0 && options.done !== undefined) {
    while (!(await options.done())) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(clients.map((client) => client.endAsync()));
  return { readings, seconds, latenciesMillis, retries: 0, rejected: 0 };
}
