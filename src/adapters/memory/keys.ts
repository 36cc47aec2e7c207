import type { ApiKey } from '../../core/auth/key.ts';
import type { KeyStore, Revocation } from '../../ports/keys.ts';

/** Keys held in memory only: for tests and the demo. */
export class MemoryKeyStore implements KeyStore {
  readonly #byHash = new Map<string, ApiKey>();

  async add(key: ApiKey): Promise<void> {
    this.#byHash.set(key.hash, { ...key });
  }

  async findByHash(hash: string): Promise<ApiKey | undefined> {
    return this.#byHash.get(hash);
  }

  /** Oldest first (keys made in the same millisecond: in the order they were added), as every store lists them. */
  async list(): Promise<ApiKey[]> {
    return [...this.#byHash.values()]
      .sort((a, b) => a.createdMillis - b.createdMillis)
      .map((key) => ({ ...key }));
  }

  async revoke(id: string, atMillis: number): Promise<boolean> {
    for (const key of this.#byHash.values()) {
      if (key.id === id && key.revokedMillis === null) {
        key.revokedMillis = atMillis;
        return true;
      }
    }
    return false;
  }

  /** Checks and writes without awaiting anything in between, so no other call comes between them. */
  async revokeKeepingAnAdmin(id: string, atMillis: number): Promise<Revocation> {
    const live = [...this.#byHash.values()].filter((key) => key.revokedMillis === null);
    const key = live.find((candidate) => candidate.id === id);
    if (key === undefined) return 'unknown';
    if (key.role === 'admin' && !live.some((other) => other.role === 'admin' && other !== key))
      return 'last-admin';
    key.revokedMillis = atMillis;
    return 'revoked';
  }

  async close(): Promise<void> {}
}
