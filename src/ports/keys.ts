import type { ApiKey } from '../core/auth/key.ts';

/** What a revocation that keeps an admin key came to. */
export type Revocation = 'revoked' | 'unknown' | 'last-admin';

/** Where API keys live. Only hashes are stored. */
export interface KeyStore {
  add(key: ApiKey): Promise<void>;
  /** The key with this hash, revoked or not; `undefined` if none. Called on every request, so it must be fast. */
  findByHash(hash: string): Promise<ApiKey | undefined>;
  list(): Promise<ApiKey[]>;
  /** Marks a key revoked; false if no key has this id or it was revoked already. */
  revoke(id: string, atMillis: number): Promise<boolean>;
  /**
   * Marks a key revoked unless it is the last live admin key, as one step: two callers (in this
   * process or another sharing the store) cannot each revoke one of the last two. `unknown`: no
   * live key has this id; `last-admin`: refused, nothing written.
   */
  revokeKeepingAnAdmin(id: string, atMillis: number): Promise<Revocation>;
  close(): Promise<void>;
}

/** Makes and hashes secrets (random bytes and SHA-256 are side effects kept out of the core). */
export interface SecretHasher {
  /** A new random secret, printable. */
  generate(): string;
  /** SHA-256 of the secret, hex. */
  hash(secret: string): string;
  /** A new random key id, 12 hex digits: random so that it tells nothing of the secret. */
  newId(): string;
}
