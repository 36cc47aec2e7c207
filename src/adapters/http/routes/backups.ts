import { Hono } from 'hono';
import type { BackupOutcome } from '../../duckdb/backup.ts';
import type { AppEnv } from '../env.ts';
import { requireRole } from '../middleware/auth.ts';
import { unknownParameters } from '../query-parameters.ts';

/** What the route needs of the store: one backup at a time. */
export interface BackupMaker {
  create(): Promise<BackupOutcome>;
}

/**
 * Mount at `/api/v1` (admin): `POST /backups` copies the embedded database, as of one snapshot taken
 * after every reading acknowledged so far is in it, into a new DuckDB file while ingest goes on.
 * 201 with the file, 409 while another backup runs, 500 when it failed (no file is left).
 */
export function backupRoutes(backups: BackupMaker): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post('/backups', requireRole('manage'), async (c) => {
    // It takes nothing: a `keep` or `path` sent was silently ignored (the folder and how many are
    // kept are the server's settings, `--backup-keep`).
    const unknown = unknownParameters(c, []);
    if (unknown !== undefined) return c.json({ error: unknown }, 400);
    const body = (await c.req.text()).trim();
    if (body !== '' && body !== '{}')
      return c.json(
        {
          error:
            'POST /backups takes no body (empty or {}): the folder and how many are kept are the server settings',
        },
        400,
      );
    const outcome = await backups.create();
    if (outcome.ok) {
      const { path, bytes, readings, tookMillis, removed } = outcome;
      return c.json({ path, bytes, readings, tookMillis, removed }, 201);
    }
    switch (outcome.reason) {
      case 'busy':
        return c.json({ error: 'a backup is running: try again when it has finished' }, 409);
      case 'stopping':
        return c.json({ error: 'the server is stopping' }, 503);
      case 'failed':
        return c.json({ error: outcome.message }, 500);
    }
  });
  return app;
}

const clusterAdvice =
  'a scaled-out platform keeps its data in PostgreSQL and ClickHouse: back them up with their own ' +
  'tools (pg_dump for PostgreSQL; for ClickHouse, ALTER TABLE … FREEZE on each shard, or the BACKUP statement from version 22.8); POST /api/v1/backups copies the ' +
  'embedded DuckDB file only';

/** Mount at `/api/v1` in a scaled-out process: `POST /backups` answers 501 with what to use instead. */
export function clusterBackupRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post('/backups', requireRole('manage'), (c) => c.json({ error: clusterAdvice }, 501));
  return app;
}
