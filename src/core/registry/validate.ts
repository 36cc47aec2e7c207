import type { Asset, Sensor, Tags } from './asset.ts';
import { parseDecimal } from '../decimal.ts';

/** Why one field of a registry record was refused. */
export interface FieldError {
  field: string;
  value: unknown;
  rule: string;
  message: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/**
 * Ids are 1 to 256 characters without control characters or `/`, `+`, `#` (they appear in MQTT
 * topics), and not `.` or `..` (URLs normalise those away, so such a record could not be reached).
 */
// eslint-disable-next-line no-control-regex -- control characters are what the rule refuses
export const idPattern = /^(?!\.\.?$)[^\u0000-\u001f\u007f/+#]{1,256}$/;

export function isValidId(id: string): boolean {
  return idPattern.test(id);
}

function isRecord(input: unknown): input is Record<string, unknown> {
  return typeof input === 'object' && input !== null && !Array.isArray(input);
}

function checkId(field: string, value: unknown, errors: FieldError[]): string {
  if (typeof value !== 'string' || !isValidId(value)) {
    errors.push({
      field,
      value,
      rule: 'id',
      message: `${field} must be 1 to 256 characters without control characters, '/', '+' or '#', and not '.' or '..'`,
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

function checkTags(value: unknown, errors: FieldError[]): Tags {
  if (value === undefined || value === null) return {};
  if (!isRecord(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    errors.push({ field: 'tags', value, rule: 'tags', message: 'tags must be an object of string values' });
    return {};
  }
  return { ...(value as Tags) };
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
