import type { DuckDBConnection } from '@duckdb/node-api';
import type { ApiKey } from '../../core/auth/key.ts';
import { isRole } from '../../core/auth/role.ts';
import type { KeyStore } from '../../ports/keys.ts';
import { MemoryKeyStore } from '../memory/keys.ts';
import type { Database } from './database.ts';

const schema =
  'CREATE TABLE IF NOT EXISTS api_keys (hash VARCHAR PRIMARY KEY, id VARCHAR NOT NULL, name VARCHAR NOT NULL, ' +
  'role VARCHAR NOT NULL, created_millis DOUBLE NOT NULL, revoked_millis DOUBLE)';

/**
 * API keys (hashes only) in the embedded DuckDB file, mirrored in a `MemoryKeyStore`: they are
 * few, and every request looks one up. Writes go to the file first, then to the mirror.
 */
export class DuckDbKeyStore implements KeyStore {
  readonly #connection: DuckDBConnection;
  readonly #mirror: MemoryKeyStore;

  private constructor(connection: DuckDBConnection, mirror: MemoryKeyStore) {
    this.#connection = connection;
    this.#mirror = mirror;
  }

  static async open(database: Database): Promise<DuckDbKeyStore> {
    const connection = await database.connect();
    await connection.run(schema);
    const reader = await connection.runAndReadAll(
      'SELECT hash, id, name, role, created_millis, revoked_millis FROM api_keys',
    );
    const mirror = new MemoryKeyStore();
    for (const [hash, id, name, role, created, revoked] of reader.getRows()) {
      if (!isRole(role)) continue;
      await mirror.add({
        hash: String(hash),
        id: String(id),
        name: String(name),
        role,
        createdMillis: Number(created),
        revokedMillis: revoked === null ? null : Number(revoked),
      });
    }
    return new DuckDbKeyStore(connection, mirror);
  }

  async add(key: ApiKey): Promise<void> {
    await this.#connection.run('INSERT OR REPLACE INTO api_keys VALUES ($1, $2, $3, $4, $5, $6)', [
      key.hash,
      key.id,
      key.name,
      key.role,
      key.createdMillis,
      key.revokedMillis,
    ]);
    await this.#mirror.add(key);
  }

  findByHash(hash: string): Promise<ApiKey | undefined> {
    return this.#mirror.findByHash(hash);
  }

  list(): Promise<ApiKey[]> {
    return this.#mirror.list();
  }

  async revoke(id: string, atMillis: number): Promise<boolean> {
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
