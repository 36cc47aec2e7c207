import type pg from 'pg';
import type { ApiKey } from '../../core/auth/key.ts';
import type { Role } from '../../core/auth/role.ts';
import type { KeyStore } from '../../ports/keys.ts';

interface Row {
  id: string;
  name: string;
  role: string;
  hash: string;
  created_millis: string;
  revoked_millis: string | null;
}

function keyOf(row: Row): ApiKey {
  return {
    id: row.id,
    name: row.name,
    role: row.role as Role,
    hash: row.hash,
    createdMillis: Number(row.created_millis),
    revokedMillis: row.revoked_millis === null ? null : Number(row.revoked_millis),
  };
}

/**
 * API keys in PostgreSQL, shared by every API and ingest process. Lookups by hash are cached for
 * `cacheMillis` (asked on every request), so a revocation takes at most that long to reach all processes.
 */
export class PostgresKeyStore implements KeyStore {
  readonly #pool: pg.Pool;
  readonly #cacheMillis: number;
  readonly #cache = new Map<string, { key: ApiKey | undefined; at: number }>();

  constructor(pool: pg.Pool, cacheMillis = 5_000) {
    this.#pool = pool;
    this.#cacheMillis = cacheMillis;
  }

  async add(key: ApiKey): Promise<void> {
    await this.#pool.query(
      'INSERT INTO api_keys (id, name, role, hash, created_millis, revoked_millis) VALUES ($1, $2, $3, $4, $5, $6)',
      [key.id, key.name, key.role, key.hash, key.createdMillis, key.revokedMillis],
    );
    this.#cache.delete(key.hash);
  }

  async findByHash(hash: string): Promise<ApiKey | undefined> {
    const cached = this.#cache.get(hash);
    if (cached !== undefined && Date.now() - cached.at < this.#cacheMillis) return cached.key;
    const result = await this.#pool.query<Row>('SELECT * FROM api_keys WHERE hash = $1', [hash]);
    const key = result.rows[0] === undefined ? undefined : keyOf(result.rows[0]);
    if (this.#cache.size > 10_000) this.#cache.clear();
    this.#cache.set(hash, { key, at: Date.now() });
    return key;
  }

  async list(): Promise<ApiKey[]> {
    const result = await this.#pool.query<Row>('SELECT * FROM api_keys ORDER BY created_millis, id');
    return result.rows.map(keyOf);
  }

  async revoke(id: string, atMillis: number): Promise<boolean> {
    const result = await this.#pool.query(
      'UPDATE api_keys SET revoked_millis = $2 WHERE id = $1 AND revoked_millis IS NULL',
      [id, atMillis],
    );
    this.#cache.clear();
    return (result.rowCount ?? 0) > 0;
  }

  async close(): Promise<void> {}
}
