import type { ParsedBatch } from '../../core/readings/reading.ts';
import type { IngestPath } from '../../services/edge/edge-ingest.ts';
import type { BatchParsers } from '../../services/edge/parsers.ts';
import { jsonArrayPieces } from '../text-pieces.ts';

/** Topics readings arrive on: `city/<sensorId>/telemetry` (one `{ts, value}` or an array) and `city/senml`. */
export const telemetryPattern = /^city\/([^/]+)\/telemetry$/;
export const senmlTopic = 'city/senml';

export function isTelemetryTopic(topic: string): boolean {
  return topic === senmlTopic || telemetryPattern.test(topic);
}

/** The `path` label a message's readings are counted under. */
export function telemetryPath(topic: string): IngestPath {
  return topic === senmlTopic ? 'mqtt_senml' : 'mqtt';
}

function malformed(topic: string, payload: Buffer, message: string): ParsedBatch {
  const value = payload.length > 64 ? `${payload.subarray(0, 64).toString()}…` : payload.toString();
  return {
    readings: [],
    rejected: [{ index: 0, field: 'payload', value, rule: 'malformed', message: `${topic}: ${message}` }],
  };
}

/** Validates one MQTT message; a payload that cannot be read becomes one `malformed` rejection. */
export function parseTelemetry(
  parsers: BatchParsers,
  topic: string,
  payload: Buffer,
  nowMillis: number,
): ParsedBatch {
  // A large batch in pieces (V8 makes a string over 128 KiB a large object of its own).
  const text = jsonArrayPieces(payload) ?? payload.toString('utf8');
  if (topic === senmlTopic) {
    const parsed = parsers.senml(text, nowMillis);
    return parsed.ok ? parsed.batch : malformed(topic, payload, parsed.message);
  }
  const sensor = telemetryPattern.exec(topic)?.[1];
  if (sensor === undefined) return malformed(topic, payload, 'not a telemetry topic');
  const parsed = parsers.json(text, nowMillis, sensor);
  return parsed.ok ? parsed.batch : malformed(topic, payload, parsed.message);
}
