import type { Role } from './role.ts';

/** A stored API key. The secret itself is never stored, only its SHA-256 hash (hex). */
export interface ApiKey {
  id: string;
  name: string;
  role: Role;
  hash: string;
  createdMillis: number;
  revokedMillis: number | null;
}

/** What the API shows of a key: everything but the hash. */
export type KeyInfo = Omit<ApiKey, 'hash'>;

export function keyInfo(key: ApiKey): KeyInfo {
  return {
    id: key.id,
    name: key.name,
    role: key.role,
    createdMillis: key.createdMillis,
    revokedMillis: key.revokedMillis,
  };
}

/** Key ids are the first 12 hex digits of the hash: stable, and they reveal nothing of the secret. */
export function keyIdOf(hash: string): string {
  return hash.slice(0, 12);
}
