import { isRole, roles, type Role } from './role.ts';
import { checkScope } from './scope.ts';
import { isPlainText, isRecord, unknownFields } from '../input-checks.ts';

/** A key as asked for by an admin, checked: its name (the role's when none was given), role and scope. */
export interface NewKey {
  name: string;
  role: Role;
  sensors?: string[];
}

export type CheckedNewKey = { ok: true; value: NewKey } | { ok: false; message: string };

/** Longest key name, in UTF-16 code units. */
export const maxKeyNameLength = 256;

const fields = ['name', 'role', 'sensors'];

/**
 * Validates the body of a key creation: an object with `role` (one of `roles`), optional `name`
 * (1 to 256 characters, not blank, no control characters: names are shown and logged) and optional
 * `sensors` (device keys only, see `checkScope`; null: every sensor). Any other field is refused,
 * so a misspelt `sensor` cannot make a key that writes every sensor.
 */
export function checkNewKey(input: unknown): CheckedNewKey {
  if (!isRecord(input))
    return { ok: false, message: `body must be a JSON object {"name", "role", "sensors"}` };
  const [unknown] = unknownFields(input, fields);
  if (unknown !== undefined)
    return { ok: false, message: `${unknown} is not a field of a key (known: name, role, sensors)` };
  const { name, role, sensors } = input;
  if (!isRole(role)) return { ok: false, message: `role=${shown(role)} must be one of ${roles.join(', ')}` };
  if (name !== undefined && !isPlainText(name, maxKeyNameLength)) {
    return {
      ok: false,
      message: `name=${shown(name)} must be text of 1 to ${maxKeyNameLength} characters, not blank, without control characters`,
    };
  }
  const key: NewKey = { name: name ?? role, role };
  if (sensors === undefined || sensors === null) return { ok: true, value: key };
  if (role !== 'device')
    return { ok: false, message: `sensors is for device keys only, not role=${JSON.stringify(role)}` };
  const scope = checkScope(sensors);
  if (!scope.ok) return scope;
  return { ok: true, value: { ...key, sensors: scope.value } };
}

/** A value as an error shows it: JSON, cut short; a missing field is `undefined`. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
