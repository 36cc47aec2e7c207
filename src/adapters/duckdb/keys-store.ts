import type { DuckDBConnection } from '@duckdb/node-api';
import type { ApiKey } from '../../core/auth/key.ts';
import { isRole } from '../../core/auth/role.ts';
import type { KeyStore, Revocation } from '../../ports/keys.ts';
import { MemoryKeyStore } from '../memory/keys.ts';
import type { Database } from './database.ts';
import { Serial } from '../../core/serial.ts';

const schema =
  'CREATE TABLE IF NOT EXISTS api_keys (hash VARCHAR PRIMARY KEY, id VARCHAR NOT NULL, name VARCHAR NOT NULL, ' +
  'role VARCHAR NOT NULL, created_millis DOUBLE NOT NULL, revoked_millis DOUBLE)';
/** A key's sensor scope, a JSON array (NULL: every sensor); added to files made before scopes existed. */
const addSensors = 'ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS sensors VARCHAR';
/** When a key stops working (epoch ms; NULL: never); added to files made before keys expired. */
const addExpiry = 'ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS expires_millis DOUBLE';

/** A stored scope; one that cannot be read allows no sensor rather than every one. */
function sensorsOf(stored: unknown): readonly string[] | undefined {
  if (stored === null || stored === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(String(stored));
    return Array.isArray(parsed) ? parsed.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * API keys (hashes only) in the embedded DuckDB file, mirrored in a `MemoryKeyStore`: they are
 * few, and every request looks one up. Writes go to the file first, then to the mirror.
 * Revocations run one at a time, so a check of the live keys holds until its write is done.
 */
export class DuckDbKeyStore implements KeyStore {
  readonly #connection: DuckDBConnection;
  readonly #mirror: MemoryKeyStore;
  readonly #revocations = new Serial();

  private constructor(connection: DuckDBConnection, mirror: MemoryKeyStore) {
    this.#connection = connection;
    this.#mirror = mirror;
  }

  static async open(database: Database): Promise<DuckDbKeyStore> {
    const connection = await database.connect();
    await connection.run(schema);
    await connection.run(addSensors);
    await connection.run(addExpiry);
    const reader = await connection.runAndReadAll(
      'SELECT hash, id, name, role, created_millis, revoked_millis, sensors, expires_millis FROM api_keys ' +
        'ORDER BY created_millis, rowid',
    );
    const mirror = new MemoryKeyStore();
    for (const [hash, id, name, role, created, revoked, stored, expires] of reader.getRows()) {
      if (!isRole(role)) continue;
      const key: ApiKey = {
        hash: String(hash),
        id: String(id),
        name: String(name),
        role,
        createdMillis: Number(created),
        revokedMillis: revoked === null ? null : Number(revoked),
      };
      const sensors = sensorsOf(stored);
      if (sensors !== undefined) key.sensors = sensors;
      if (expires !== null) key.expiresMillis = Number(expires);
      await mirror.add(key);
    }
    return new DuckDbKeyStore(connection, mirror);
  }

  async add(key: ApiKey): Promise<void> {
    await this.#connection.run(
      'INSERT OR REPLACE INTO api_keys (hash, id, name, role, created_millis, revoked_millis, sensors, expires_millis) ' +
        'VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [
        key.hash,
        key.id,
        key.name,
        key.role,
        key.createdMillis,
        key.revokedMillis,
        key.sensors === undefined ? null : JSON.stringify(key.sensors),
        key.expiresMillis ?? null,
      ],
    );
    await this.#mirror.add(key);
  }

  findByHash(hash: string): Promise<ApiKey | undefined> {
    return this.#mirror.findByHash(hash);
  }

  list(): Promise<ApiKey[]> {
    return this.#mirror.list();
  }

  revoke(id: string, atMillis: number): Promise<boolean> {
    return this.#revocations.run(() => this.#revoke(id, atMillis));
  }

  revokeKeepingAnAdmin(id: string, atMillis: number): Promise<Revocation> {
    return this.#revocations.run(async (): Promise<Revocation> => {
      const live = (await this.#mirror.list()).filter((key) => key.revokedMillis === null);
      const key = live.find((candidate) => candidate.id === id);
      if (key === undefined) return 'unknown';
      if (key.role === 'admin' && !live.some((other) => other.role === 'admin' && other.hash !== key.hash))
        return 'last-admin';
      return (await this.#revoke(id, atMillis)) ? 'revoked' : 'unknown';
    });
  }

  async #revoke(id: string, atMillis: number): Promise<boolean> {
    const key = (await this.#mirror.list()).find((k) => k.id === id && k.revokedMillis === null);
    if (key === undefined) return false;
    await this.#connection.run('UPDATE api_keys SET revoked_millis = $1 WHERE hash = $2', [
      atMillis,
      key.hash,
    ]);
    return this.#mirror.revoke(id, atMillis);
  }

  async close(): Promise<void> {}
}
