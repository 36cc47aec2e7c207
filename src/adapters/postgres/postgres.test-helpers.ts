import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type pg from 'pg';
import { freePort } from '../free-port.ts';
import { openPool } from './pool.ts';
import { hasPostgres, startPostgresServer, stopPostgresServer } from './server-process.ts';

/** The `skip` option of a test that needs a PostgreSQL server. */
export const skipWithoutPostgres = hasPostgres()
  ? false
  : 'PostgreSQL 15 or later is not installed (Debian package postgresql)';

export interface TestPostgres {
  url: string;
  /** Opens a pool on the server (schema set up); it is ended when the test ends. */
  openPool(): Promise<pg.Pool>;
}

/**
 * Starts a PostgreSQL server of the test's own in a fresh folder named after `prefix`; when the
 * test ends, its pools are ended, the server stopped and the folder removed.
 */
export async function startTestPostgres(t: TestContext, prefix: string): Promise<TestPostgres> {
  const directory = await mkdtemp(join(tmpdir(), prefix));
  const pools: pg.Pool[] = [];
  t.after(async () => {
    for (const pool of pools) await pool.end();
    stopPostgresServer(directory);
    await rm(directory, { recursive: true, force: true });
  });
  // A port of its own: on a fixed one, a server already there would be tested instead.
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await startPostgresServer(directory, port);
  return {
    url,
    async openPool() {
      const pool = await openPool(url);
      pools.push(pool);
      return pool;
    },
  };
}
