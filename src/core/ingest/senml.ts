import {
  BatchCollector,
  parseJsonThen,
  resolveValidationOptions,
  type ParseOutcome,
  type ValidationOptions,
} from './validation.ts';

/** SenML times below 2^28 seconds are relative to the receive time (RFC 8428, section 4.5.3). */
const RELATIVE_TIME_LIMIT_SECONDS = 2 ** 28;

interface BaseFields {
  name: string;
  timeSeconds: number;
  value: number;
}

/**
 * Parses a SenML JSON pack (RFC 8428): an array of records with base fields (`bn`, `bt`, `bv`)
 * that apply to the records after them. The sensor id is `bn + n`; the time `bt + t` in seconds
 * (relative to `nowMillis` when below 2^28) defaulting to now; the value `bv + v`.
 * Records with only string, boolean or data values are rejected as not numeric.
 */
export function parseSenml(
  text: string,
  nowMillis: number,
  options: Partial<ValidationOptions> = {},
): ParseOutcome {
  return parseJsonThen(text, (body) => validateSenml(body, nowMillis, options));
}

/** Validates an already parsed SenML pack (see `parseSenml`). */
export function validateSenml(
  body: unknown,
  nowMillis: number,
  options: Partial<ValidationOptions> = {},
): ParseOutcome {
  if (!Array.isArray(body))
    return { ok: false, reason: 'malformed', message: 'a SenML pack must be a JSON array' };
  const collector = new BatchCollector(nowMillis, resolveValidationOptions(options));
  const base: BaseFields = { name: '', timeSeconds: 0, value: 0 };
  for (let index = 0; index < body.length; index++) {
    const record = collector.objectItem(index, body[index], 'a SenML record must be an object');
    if (record !== undefined) readRecord(collector, index, record, base, nowMillis);
  }
  return collector.result();
}

function readRecord(
  collector: BatchCollector,
  index: number,
  record: Record<string, unknown>,
  base: BaseFields,
  nowMillis: number,
): void {
  for (const [field, key] of [
    ['bn', 'name'],
    ['bt', 'timeSeconds'],
    ['bv', 'value'],
  ] as const) {
    const given = record[field];
    if (given === undefined) continue;
    if (key === 'name' ? typeof given !== 'string' : typeof given !== 'number' || !Number.isFinite(given)) {
      collector.reject(index, field, given, 'malformed', `${field} has the wrong type`);
      return;
    }
    (base as unknown as Record<string, unknown>)[key] = given;
  }
  const name = record['n'] ?? '';
  if (typeof name !== 'string') {
    collector.reject(index, 'n', name, 'bad-sensor-id', 'n must be a string');
    return;
  }
  const sensor = base.name + name;
  if (!collector.checkSensor(index, sensor)) return;
  const value = record['v'];
  if (value === undefined) {
    const onlyOther = ['vs', 'vb', 'vd', 's'].some((field) => record[field] !== undefined);
    const rule = onlyOther ? 'not-a-number' : 'missing';
    collector.reject(index, 'v', undefined, rule, 'a numeric v is required', sensor);
    return;
  }
  if (typeof value !== 'number') {
    collector.reject(index, 'v', value, 'not-a-number', `v must be a number, got ${typeof value}`, sensor);
    return;
  }
  const time = record['t'] ?? 0;
  if (typeof time !== 'number' || !Number.isFinite(time)) {
    collector.reject(index, 't', time, 'bad-timestamp', 't must be a number of seconds', sensor);
    return;
  }
  const seconds = base.timeSeconds + time;
  const ts = seconds < RELATIVE_TIME_LIMIT_SECONDS ? nowMillis + seconds * 1000 : seconds * 1000;
  collector.accept(index, sensor, Math.round(ts), base.value + value, 'v', 't');
}
