import type { ApiKey } from '../core/auth/key.ts';

/** Where API keys live. Only hashes are stored. */
export interface KeyStore {
  add(key: ApiKey): Promise<void>;
  /** The key with this hash, revoked or not; `undefined` if none. Called on every request, so it must be fast. */
  findByHash(hash: string): Promise<ApiKey | undefined>;
  list(): Promise<ApiKey[]>;
  /** Marks a key revoked; false if no key has this id or it was revoked already. */
  revoke(id: string, atMillis: number): Promise<boolean>;
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
