import { isRole, roles, type Role } from './role.ts';
import { checkScope } from './scope.ts';
import { isPlainText, isRecord, shownValue, unknownFields } from '../input-checks.ts';
import { parseTimestamp } from '../ingest/timestamp.ts';

/** A key as asked for by an admin, checked: its name (the role's when none was given), role and scope. */
export interface NewKey {
  name: string;
  role: Role;
  sensors?: string[];
  /** When the key stops working (epoch ms); absent: never. */
  expiresMillis?: number;
}

export type CheckedNewKey = { ok: true; value: NewKey } | { ok: false; message: string };

/** Longest key name, in UTF-16 code units. */
export const maxKeyNameLength = 256;

const fields = ['name', 'role', 'sensors', 'expiresAt'];

/**
 * Validates the body of a key creation: an object with `role` (one of `roles`), optional `name`
 * (1 to 256 characters, not blank, no control characters: names are shown and logged), optional
 * `sensors` (device keys only, see `checkScope`; null: every sensor) and optional `expiresAt`
 * (epoch ms or an ISO-8601 date-time, after `nowMillis`; null: never; not for admin keys, so that a
 * live admin key always remains). Any other field is refused, so a misspelt `sensor` cannot make a
 * key that writes every sensor.
 */
export function checkNewKey(input: unknown, nowMillis: number): CheckedNewKey {
  if (!isRecord(input))
    return { ok: false, message: `body must be a JSON object {"name", "role", "sensors", "expiresAt"}` };
  const [unknown] = unknownFields(input, fields);
  if (unknown !== undefined)
    return {
      ok: false,
      message: `${unknown} is not a field of a key (known: name, role, sensors, expiresAt)`,
    };
  const { name, role, sensors } = input;
  if (role === undefined) return { ok: false, message: `role is required: one of ${roles.join(', ')}` };
  if (!isRole(role))
    return { ok: false, message: `role=${shownValue(role)} must be one of ${roles.join(', ')}` };
  if (name !== undefined && !isPlainText(name, maxKeyNameLength)) {
    return {
      ok: false,
      message: `name=${shownValue(name)} must be text of 1 to ${maxKeyNameLength} characters, not blank, without control characters`,
    };
  }
  const key: NewKey = { name: name ?? role, role };
  const expires = checkExpiry(input['expiresAt'], role, nowMillis);
  if (typeof expires === 'string') return { ok: false, message: expires };
  if (expires !== undefined) key.expiresMillis = expires;
  if (sensors === undefined || sensors === null) return { ok: true, value: key };
  if (role !== 'device')
    return { ok: false, message: `sensors is for device keys only, not role=${JSON.stringify(role)}` };
  const scope = checkScope(sensors);
  if (!scope.ok) return scope;
  return { ok: true, value: { ...key, sensors: scope.value } };
}

/** The expiry asked for (undefined: never), or what is wrong with it. */
function checkExpiry(value: unknown, role: Role, nowMillis: number): number | undefined | string {
  if (value === undefined || value === null) return undefined;
  const rule = 'must be epoch milliseconds or an ISO-8601 date-time, in the future';
  if (role === 'admin')
    return `expiresAt is not for admin keys (a live admin key must always remain): revoke one instead`;
  const millis =
    typeof value === 'number' ? value : typeof value === 'string' ? parseTimestamp(value) : undefined;
  if (millis === undefined || !Number.isSafeInteger(millis) || millis < 0)
    return `expiresAt=${shownValue(value)} ${rule}`;
  if (millis <= nowMillis)
    return `expiresAt=${shownValue(value)} ${rule}: it is ${new Date(millis).toISOString()}, and now is ${new Date(nowMillis).toISOString()}`;
  return millis;
}
