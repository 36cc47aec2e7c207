import type { Asset, Sensor, Tags } from './asset.ts';
import { parseDecimal } from '../decimal.ts';
import { isRecord, unknownFields } from '../input-checks.ts';

/** Why one field of a registry record was refused. */
export interface FieldError {
  field: string;
  value: unknown;
  rule: string;
  message: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/**
 * Ids are 1 to 256 characters (UTF-16 code units) without control characters or `/`, `+`, `#` (they
 * appear in MQTT topics), without U+FFFD or an unpaired surrogate (what bytes that are not UTF-8
 * decode to, or cannot be written as UTF-8: stored, such an id would not match the one sent), and
 * not `.` or `..` (URLs normalise those away, so such a record could not be reached).
 */
export const idPattern =
  // eslint-disable-next-line no-control-regex -- control characters are what the rule refuses
  /^(?!\.\.?$)(?=[^]{1,256}$)(?:[^\u0000-\u001f\u007f/+#\ufffd\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])+$/;

/** The characters an id may not hold, as told to a client (after "1 to N characters"). */
export const idCharacterRule =
  "without control characters, '/', '+', '#' or text that is not UTF-8 (U+FFFD, an unpaired surrogate), and not '.' or '..'";

export function isValidId(id: string): boolean {
  return idPattern.test(id);
}

function checkId(field: string, value: unknown, errors: FieldError[]): string {
  if (typeof value !== 'string' || !isValidId(value)) {
    errors.push({
      field,
      value: value ?? null,
      rule: 'id',
      message: `${field} must be 1 to 256 characters ${idCharacterRule}`,
    });
    return '';
  }
  return value;
}

function checkText(field: string, value: unknown, fallback: string, errors: FieldError[]): string {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string' || value.length > 256) {
    errors.push({
      field,
      value,
      rule: 'text',
      message: `${field} must be a string of at most 256 characters`,
    });
    return fallback;
  }
  return value;
}

function checkCoordinate(field: 'lat' | 'lon', value: unknown, errors: FieldError[]): number | null {
  if (value === undefined || value === null || value === '') return null;
  const number = typeof value === 'string' ? (parseDecimal(value) ?? value) : value;
  const limit = field === 'lat' ? 90 : 180;
  if (typeof number !== 'number' || !Number.isFinite(number) || Math.abs(number) > limit) {
    errors.push({
      field,
      value,
      rule: 'coordinate',
      message: `${field} must be a number (or a decimal string) within ±${limit}`,
    });
    return null;
  }
  return number;
}

/** Checks lat and lon of a record: both given or neither. */
function checkPosition(
  input: Record<string, unknown>,
  errors: FieldError[],
): { lat: number | null; lon: number | null } {
  const before = errors.length;
  const lat = checkCoordinate('lat', input.lat, errors);
  const lon = checkCoordinate('lon', input.lon, errors);
  if (errors.length === before && (lat === null) !== (lon === null)) {
    const missing = lat === null ? 'lat' : 'lon';
    errors.push({
      field: missing,
      value: input[missing] ?? null,
      rule: 'position',
      message: `lat and lon must be given together; ${missing} is missing`,
    });
  }
  return { lat, lon };
}

/** Tags: at most `maxTags` pairs, keys 1 to 256 characters, values strings of at most 1,024. */
export const maxTags = 100;
const maxTagValueLength = 1024;

function checkTags(value: unknown, errors: FieldError[]): Tags {
  if (value === undefined || value === null) return {};
  const rule = `tags must be an object of at most ${maxTags} string values, keys 1 to 256 characters and values at most ${maxTagValueLength}`;
  if (!isRecord(value)) {
    errors.push({ field: 'tags', value, rule: 'tags', message: rule });
    return {};
  }
  const entries = Object.entries(value);
  if (entries.length > maxTags) {
    errors.push({ field: 'tags', value: `${entries.length} tags`, rule: 'tags', message: rule });
    return {};
  }
  for (const [key, tag] of entries) {
    const bad =
      key.length === 0 || key.length > 256 || typeof tag !== 'string' || tag.length > maxTagValueLength;
    if (bad) {
      errors.push({ field: `tags.${key}`, value: tag, rule: 'tags', message: rule });
      return {};
    }
  }
  return { ...(value as Tags) };
}

/** The fields of each kind of record; any other field is refused (a misspelt one would be lost). */
export const assetFields = ['id', 'type', 'name', 'lat', 'lon', 'tags'] as const;
export const sensorFields = ['id', 'kind', 'unit', 'asset', 'lat', 'lon', 'tags'] as const;

function checkFields(input: Record<string, unknown>, known: readonly string[], errors: FieldError[]): void {
  for (const field of unknownFields(input, known)) {
    errors.push({
      field,
      value: input[field] ?? null,
      rule: 'unknown-field',
      message: `unknown field '${field}' (the fields are ${known.join(', ')})`,
    });
  }
}

function finish<T>(value: T, errors: FieldError[]): Checked<T> {
  return errors.length === 0 ? { ok: true, value } : { ok: false, errors };
}

function notAnObject(input: unknown): Checked<never> {
  return {
    ok: false,
    errors: [{ field: '', value: input, rule: 'object', message: 'expected a JSON object' }],
  };
}

/** Validates an untrusted asset record (from JSON, CSV or GeoJSON). */
export function checkAsset(input: unknown): Checked<Asset> {
  if (!isRecord(input)) return notAnObject(input);
  const errors: FieldError[] = [];
  checkFields(input, assetFields, errors);
  const asset: Asset = {
    id: checkId('id', input.id, errors),
    type: checkText('type', input.type, 'other', errors),
    name: checkText('name', input.name, '', errors),
    ...checkPosition(input, errors),
    tags: checkTags(input.tags, errors),
  };
  if (asset.type === '')
    errors.push({ field: 'type', value: '', rule: 'text', message: 'type must not be empty' });
  return finish(asset, errors);
}

/** Validates an untrusted sensor record (from JSON, CSV or GeoJSON). */
export function checkSensor(input: unknown): Checked<Sensor> {
  if (!isRecord(input)) return notAnObject(input);
  const errors: FieldError[] = [];
  checkFields(input, sensorFields, errors);
  const asset = input.asset === undefined || input.asset === null || input.asset === '' ? null : input.asset;
  const sensor: Sensor = {
    id: checkId('id', input.id, errors),
    kind: checkText('kind', input.kind, 'unknown', errors),
    unit: checkText('unit', input.unit, '', errors),
    asset: asset === null ? null : checkId('asset', asset, errors),
    ...checkPosition(input, errors),
    tags: checkTags(input.tags, errors),
  };
  return finish(sensor, errors);
}

/** The error for a replacement whose `id` is not the one it replaces: ids are not changed in place. */
export function idChange(input: object, id: string): string | undefined {
  if (!('id' in input) || input.id === id) return undefined;
  const given = JSON.stringify(input.id) ?? String(input.id);
  return `id ${given} in the body differs from '${id}' in the path (an id cannot be changed: create the record under the new id, then delete the old one)`;
}
