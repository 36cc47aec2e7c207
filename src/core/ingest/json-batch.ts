import { parseTimestamp } from './timestamp.ts';
import {
  BatchCollector,
  parseJsonThen,
  type JsonArrayPieces,
  resolveValidationOptions,
  type ParseOutcome,
  type ValidationOptions,
} from './validation.ts';

export interface JsonBatchOptions extends Partial<ValidationOptions> {
  /**
   * The sensor named by an MQTT topic: items that name none are readings of it, a bare number is a
   * reading too, and an item naming another sensor is refused (`bad-sensor-id`).
   */
  defaultSensor?: string;
}

/**
 * Parses a JSON batch `[{"sensor", "ts", "value"}]` or a single such object. `ts` is epoch
 * milliseconds or ISO-8601 and defaults to `nowMillis`. Bad items are rejected one by one;
 * a body that is not JSON, or not an object or array, is malformed.
 */
export function parseJsonBatch(
  text: string | JsonArrayPieces,
  nowMillis: number,
  options: JsonBatchOptions = {},
  defaultSensor = options.defaultSensor,
): ParseOutcome {
  return parseJsonThen(text, (body) => validateJsonBatch(body, nowMillis, options, defaultSensor));
}

/**
 * Validates an already parsed JSON body (see `parseJsonBatch`). `defaultSensor` may be given apart
 * from the options, so that options resolved once serve every MQTT topic.
 */
export function validateJsonBatch(
  body: unknown,
  nowMillis: number,
  options: JsonBatchOptions = {},
  defaultSensor = options.defaultSensor,
): ParseOutcome {
  const expected = Array.isArray(body) ? body.length : 1;
  const collector = new BatchCollector(nowMillis, resolveValidationOptions(options), expected);
  if (typeof body === 'number' && defaultSensor !== undefined) {
    if (collector.checkSensor(0, defaultSensor)) collector.accept(0, defaultSensor, nowMillis, body);
    return collector.result();
  }
  if (body === null || typeof body !== 'object') {
    return {
      ok: false,
      reason: 'malformed',
      message: 'body must be a JSON array of readings or one reading object',
    };
  }
  const items: unknown[] = Array.isArray(body) ? body : [body];
  for (let index = 0; index < items.length; index++) {
    const item = collector.objectItem(
      index,
      items[index],
      'item must be an object with sensor, ts and value',
    );
    if (item !== undefined) validateItem(collector, index, item, nowMillis, defaultSensor);
  }
  return collector.result();
}

/** Names a time is often sent under (Telegraf, InfluxDB, SenML, spreadsheets) that are not `ts`. */
const misnamedTimes = ['time', 'timestamp', 't', 'date', 'datetime'];

function validateItem(
  collector: BatchCollector,
  index: number,
  item: Record<string, unknown>,
  nowMillis: number,
  defaultSensor: string | undefined,
): void {
  const sensor = item['sensor'] ?? defaultSensor;
  if (sensor === undefined) {
    collector.reject(index, 'sensor', undefined, 'missing', 'sensor is required');
    return;
  }
  if (typeof sensor !== 'string') {
    collector.reject(index, 'sensor', sensor, 'bad-sensor-id', 'sensor must be a string');
    return;
  }
  if (defaultSensor !== undefined && sensor !== defaultSensor) {
    // The topic a client may publish to names the sensor; the payload must not write to another.
    const message = `sensor '${sensor}' differs from the topic's sensor '${defaultSensor}'`;
    collector.reject(index, 'sensor', sensor, 'bad-sensor-id', message);
    return;
  }
  if (!collector.checkSensor(index, sensor)) return;
  const value = item['value'];
  if (value === undefined) {
    collector.reject(index, 'value', undefined, 'missing', 'value is required', sensor);
    return;
  }
  if (typeof value !== 'number') {
    collector.reject(
      index,
      'value',
      value,
      'not-a-number',
      `value must be a number, got ${value === null ? 'null' : typeof value}`,
      sensor,
    );
    return;
  }
  const rawTs = item['ts'];
  if (rawTs === undefined) {
    // Without ts a reading is timed when received: a time under another name must not pass for that.
    const misnamed = misnamedTimes.find((name) => item[name] !== undefined);
    if (misnamed !== undefined) {
      const message = `${misnamed} is not read: the time is ts (a reading without ts is timed when received)`;
      collector.reject(index, misnamed, item[misnamed], 'malformed', message, sensor);
      return;
    }
  }
  const ts = rawTs === undefined ? nowMillis : parseTimestamp(rawTs);
  if (ts === undefined) {
    collector.reject(
      index,
      'ts',
      rawTs,
      'bad-timestamp',
      'ts must be epoch milliseconds or an ISO-8601 string',
      sensor,
    );
    return;
  }
  collector.accept(index, sensor, ts, value);
}
