import type pg from 'pg';
import type { ApiKey } from '../../core/auth/key.ts';
import { isRole } from '../../core/auth/role.ts';
import type { KeyStore, Revocation } from '../../ports/keys.ts';

interface Row {
  id: string;
  name: string;
  role: string;
  hash: string;
  created_millis: string;
  revoked_millis: string | null;
  /** jsonb, read as the array stored; null: every sensor. */
  sensors: unknown;
  /** bigint, read as text; null: never. */
  expires_millis: string | null;
}

/** The key of a row; undefined for a role this version does not know (it grants nothing, as in DuckDB). */
function keyOf(row: Row): ApiKey | undefined {
  if (!isRole(row.role)) return undefined;
  const key: ApiKey = {
    id: row.id,
    name: row.name,
    role: row.role,
    hash: row.hash,
    createdMillis: Number(row.created_millis),
    revokedMillis: row.revoked_millis === null ? null : Number(row.revoked_millis),
  };
  if (row.expires_millis !== null && row.expires_millis !== undefined)
    key.expiresMillis = Number(row.expires_millis);
  if (row.sensors !== null && row.sensors !== undefined) {
    // A scope that cannot be read allows no sensor rather than every one.
    key.sensors = Array.isArray(row.sensors)
      ? row.sensors.filter((item): item is string => typeof item === 'string')
      : [];
  }
  return key;
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
      'INSERT INTO api_keys (id, name, role, hash, created_millis, revoked_millis, sensors, expires_millis) ' +
        'VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [
        key.id,
        key.name,
        key.role,
        key.hash,
        key.createdMillis,
        key.revokedMillis,
        // JSON text: pg would send a JavaScript array as a PostgreSQL array, not as jsonb.
        key.sensors === undefined ? null : JSON.stringify(key.sensors),
        key.expiresMillis ?? null,
      ],
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
    return result.rows.flatMap((row) => keyOf(row) ?? []);
  }

  async revoke(id: string, atMillis: number): Promise<boolean> {
    const result = await this.#pool.query(
      'UPDATE api_keys SET revoked_millis = $2 WHERE id = $1 AND revoked_millis IS NULL',
      [id, atMillis],
    );
    this.#cache.clear();
    return (result.rowCount ?? 0) > 0;
  }

  /**
   * One transaction that locks the key and every live admin key (in id order, so two of them never
   * wait on each other): a revocation running at the same time in another process waits, then sees
   * this one's outcome.
   */
  async revokeKeepingAnAdmin(id: string, atMillis: number): Promise<Revocation> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const locked = await client.query<{ id: string; role: string }>(
        `SELECT id, role FROM api_keys WHERE revoked_millis IS NULL AND (role = 'admin' OR id = $1)
         ORDER BY id FOR UPDATE`,
        [id],
      );
      const key = locked.rows.find((row) => row.id === id);
      let outcome: Revocation = 'revoked';
      // A key of a role this version does not know is not listed, so not found here either.
      if (key === undefined || !isRole(key.role)) outcome = 'unknown';
      else if (key.role === 'admin' && !locked.rows.some((row) => row.role === 'admin' && row.id !== id))
        outcome = 'last-admin';
      else await client.query('UPDATE api_keys SET revoked_millis = $2 WHERE id = $1', [id, atMillis]);
      await client.query('COMMIT');
      this.#cache.clear();
      return outcome;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {}
}
