import {
  BatchCollector,
  parseJsonThen,
  type JsonArrayPieces,
  resolveValidationOptions,
  type ParseOutcome,
  type ValidationOptions,
} from './validation.ts';

/** SenML times below 2^28 seconds are relative to the receive time (RFC 8428, section 4.5.3). */
const RELATIVE_TIME_LIMIT_SECONDS = 2 ** 28;

/** The SenML version read here (RFC 8428); a pack of a later one is refused, as the RFC requires. */
const SENML_VERSION = 10;

interface BaseFields {
  version: number;
  name: string;
  timeSeconds: number;
  value: number;
  sum: number;
}

/** RFC 8428 values that are not numbers, which readings cannot hold. */
const OTHER_VALUES = ['vs', 'vb', 'vd'] as const;

/**
 * Parses a SenML JSON pack (RFC 8428): an array of records with base fields (`bn`, `bt`, `bv`)
 * that apply to the records after them. The sensor id is `bn + n`; the time `bt + t` in seconds
 * (relative to `nowMillis` when below 2^28) defaulting to now; the value `bv + v`, or for a record
 * without `v` its sum `bs + s`. Records with only a string, boolean or data value are rejected as
 * not numeric, naming that field and echoing its value.
 */
export function parseSenml(
  text: string | JsonArrayPieces,
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
  const collector = new BatchCollector(nowMillis, resolveValidationOptions(options), body.length);
  const base: BaseFields = { version: SENML_VERSION, name: '', timeSeconds: 0, value: 0, sum: 0 };
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
    ['bs', 'sum'],
  ] as const) {
    const given = record[field];
    if (given === undefined) continue;
    if (key === 'name' ? typeof given !== 'string' : typeof given !== 'number' || !Number.isFinite(given)) {
      collector.reject(index, field, given, 'malformed', `${field} has the wrong type`);
      return;
    }
    (base as unknown as Record<string, unknown>)[key] = given;
  }
  const version = record['bver'];
  if (version !== undefined) {
    if (!Number.isInteger(version) || (version as number) < 1) {
      collector.reject(index, 'bver', version, 'malformed', 'bver must be a positive integer');
      return;
    }
    base.version = version as number;
  }
  if (base.version > SENML_VERSION) {
    const message = `SenML version ${base.version} is not read here: version ${SENML_VERSION} (RFC 8428) is`;
    collector.reject(index, 'bver', base.version, 'malformed', message);
    return;
  }
  const name = record['n'] ?? '';
  if (typeof name !== 'string') {
    collector.reject(index, 'n', name, 'bad-sensor-id', 'n must be a string');
    return;
  }
  if (name === '' && base.name === '') {
    collector.reject(
      index,
      'n',
      undefined,
      'missing',
      'a name is required: n, or bn in this or an earlier record',
    );
    return;
  }
  const sensor = base.name + name;
  if (!collector.checkSensor(index, sensor)) return;
  const valueField = record['v'] === undefined && record['s'] !== undefined ? 's' : 'v';
  const value = record[valueField];
  if (value === undefined) {
    const other = OTHER_VALUES.find((field) => record[field] !== undefined);
    if (other === undefined) {
      collector.reject(index, 'v', undefined, 'missing', 'a numeric v (or sum s) is required', sensor);
    } else {
      const message = `${other} values are not stored: a numeric v (or sum s) is required`;
      collector.reject(index, other, record[other], 'not-a-number', message, sensor);
    }
    return;
  }
  if (typeof value !== 'number') {
    const message = `${valueField} must be a number, got ${typeof value}`;
    collector.reject(index, valueField, value, 'not-a-number', message, sensor);
    return;
  }
  const time = record['t'] ?? 0;
  if (typeof time !== 'number' || !Number.isFinite(time)) {
    collector.reject(index, 't', time, 'bad-timestamp', 't must be a number of seconds', sensor);
    return;
  }
  const seconds = base.timeSeconds + time;
  const ts = seconds < RELATIVE_TIME_LIMIT_SECONDS ? nowMillis + seconds * 1000 : seconds * 1000;
  const total = valueField === 'v' ? base.value + value : base.sum + value;
  collector.accept(index, sensor, Math.round(ts), total, valueField, 't');
}
