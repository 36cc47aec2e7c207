import pg from 'pg';
import { schemaStatements } from './schema.ts';

/** A connection pool with the schema in place. `url` like postgres://postgres@127.0.0.1:5432/postgres. */
export async function openPool(url: string, maxConnections = 8): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: url, max: maxConnections });
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    try {
      // Several processes may start at once: serialise the schema set-up.
      await client.query('SELECT pg_advisory_lock(7207)');
      for (const statement of schemaStatements) await client.query(statement);
      await client.query('SELECT pg_advisory_unlock(7207)');
    } finally {
      client.release();
    }
  } catch (error) {
    // A pool that never opened holds no one's connections: nothing of it may keep the process alive.
    await pool.end().catch(() => undefined);
    throw error;
  }
  return pool;
}
