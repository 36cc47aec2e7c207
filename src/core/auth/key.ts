import type { Role } from './role.ts';

/** A stored API key. The secret itself is never stored, only its SHA-256 hash (hex). */
export interface ApiKey {
  /** Random, not derived from the secret (keys created before that keep the id they were stored with). */
  id: string;
  name: string;
  role: Role;
  hash: string;
  /**
   * The sensors a device key may write (see `checkScope` in `scope.ts`): exact ids, and prefixes
   * ending in `*`. Absent: every sensor.
   */
  sensors?: readonly string[];
  createdMillis: number;
  revokedMillis: number | null;
  /** When the key stops working (epoch ms); absent: never. Admin keys never expire. */
  expiresMillis?: number;
}

/** Whether a key may be used at `nowMillis`: not revoked, and not past its expiry. */
export function isLiveAt(key: ApiKey, nowMillis: number): boolean {
  return key.revokedMillis === null && (key.expiresMillis === undefined || nowMillis < key.expiresMillis);
}

/** What the API shows of a key: everything but the hash; `sensors` is null for a key without a scope. */
export interface KeyInfo {
  id: string;
  name: string;
  role: Role;
  sensors: readonly string[] | null;
  createdMillis: number;
  revokedMillis: number | null;
  expiresMillis: number | null;
}

export function keyInfo(key: ApiKey): KeyInfo {
  return {
    id: key.id,
    name: key.name,
    role: key.role,
    sensors: key.sensors ?? null,
    createdMillis: key.createdMillis,
    revokedMillis: key.revokedMillis,
    expiresMillis: key.expiresMillis ?? null,
  };
}
