import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { describeError } from '../../core/describe-error.ts';
import type { Database } from './database.ts';
import { makeFolder, syncPath } from '../files/folders.ts';

/** A finished backup: one DuckDB file holding the whole database as of one snapshot. */
export interface Backup {
  path: string;
  bytes: number;
  /** Raw readings in the backup (rollups of older ones not counted). */
  readings: number;
  tookMillis: number;
  /** Older backups deleted after this one, beyond the newest `keep` (their folders). */
  removed: string[];
}

export type BackupOutcome =
  | ({ ok: true } & Backup)
  | { ok: false; reason: 'busy' | 'stopping' }
  | { ok: false; reason: 'failed'; message: string };

export interface DuckDbBackupsOptions {
  database: Database;
  /** Folder of the backups, each written to `<directory>/<UTC timestamp>/urban-brain.duckdb`. */
  directory: string;
  /** Writes what was acknowledged but is still in memory into the database (the pipeline's `forceFlush`). */
  flush: () => Promise<void>;
  /**
   * Backups kept: after a backup succeeds, the oldest beyond this many are deleted. Only folders
   * named as this class names them are counted and touched. Absent: every backup is kept.
   */
  keep?: number;
  /**
   * Files kept outside the database (the detectors' states snapshot) copied into the backup folder
   * beside it, under their own names, as they are when copied: each is replaced whole by a rename,
   * so a copy is never half of two. One that does not exist is left out.
   */
  files?: readonly string[];
  now?: () => Date;
}

/** A backup folder's name: its UTC time, `:` written `-` (so names sort as times do). */
const backupFolderName = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z$/;

/**
 * The backup folders in `directory` beyond the newest `keep`, oldest first: those named as
 * backups and holding a finished backup file (a folder being written has only its partial file).
 */
export function backupsBeyond(directory: string, keep: number): string[] {
  if (!existsSync(directory)) return [];
  const finished = readdirSync(directory, { withFileTypes: true })
    .filter(
      (entry) =>
        entry.isDirectory() &&
        backupFolderName.test(entry.name) &&
        existsSync(join(directory, entry.name, backupFileName)),
    )
    .map((entry) => entry.name)
    .sort();
  return finished.slice(0, Math.max(0, finished.length - keep)).map((name) => join(directory, name));
}

export const backupFileName = 'urban-brain.duckdb';
const alias = 'urban_brain_backup';

function quoteName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Copies each file that exists into `folder`, synced. */
async function copyBeside(files: readonly string[], folder: string): Promise<void> {
  for (const file of files) {
    const copy = join(folder, basename(file));
    try {
      await copyFile(file, copy);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    await syncPath(copy);
  }
}

function quoteText(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * Online backups of the embedded database, one at a time, while ingest goes on: the acknowledged
 * readings are flushed first, then `COPY FROM DATABASE` copies every table, sequence, index and
 * constraint in one read transaction (one snapshot) into a new DuckDB file. The file is written
 * under a temporary name, checkpointed, synced and renamed: a failed backup leaves no file.
 */
export class DuckDbBackups {
  readonly #connection: DuckDBConnection;
  readonly #catalog: string;
  readonly #options: DuckDbBackupsOptions;
  #running: Promise<BackupOutcome> | undefined;
  #stopping = false;

  private constructor(connection: DuckDBConnection, catalog: string, options: DuckDbBackupsOptions) {
    this.#connection = connection;
    this.#catalog = catalog;
    this.#options = options;
  }

  static async open(options: DuckDbBackupsOptions): Promise<DuckDbBackups> {
    const connection = await options.database.connect();
    const reader = await connection.runAndReadAll('SELECT current_database()');
    return new DuckDbBackups(connection, String(reader.getRows()[0]?.[0]), options);
  }

  /** Makes a backup; `busy` while another one runs. */
  async create(): Promise<BackupOutcome> {
    if (this.#stopping) return { ok: false, reason: 'stopping' };
    if (this.#running !== undefined) return { ok: false, reason: 'busy' };
    this.#running = this.#attempt();
    try {
      return await this.#running;
    } finally {
      this.#running = undefined;
    }
  }

  /** Refuses new backups and waits for the one running (before the database closes). */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#running;
  }

  async #attempt(): Promise<BackupOutcome> {
    const started = performance.now();
    const stamp = (this.#options.now?.() ?? new Date()).toISOString().replaceAll(':', '-');
    const folder = join(this.#options.directory, stamp);
    const path = join(folder, backupFileName);
    let created = false;
    try {
      await this.#options.flush().catch((error: unknown) => {
        throw new Error(
          `could not write the acknowledged readings into the database: ${describeError(error)}`,
        );
      });
      makeFolder(this.#options.directory);
      mkdirSync(folder);
      created = true;
      const partial = `${path}.partial`;
      const readings = await this.#copy(partial);
      await syncPath(partial);
      renameSync(partial, path);
      await copyBeside(this.#options.files ?? [], folder);
      await syncPath(folder);
      await syncPath(this.#options.directory);
      const bytes = statSync(path).size;
      const tookMillis = Math.round(performance.now() - started);
      return { ok: true, path, bytes, readings, tookMillis, removed: this.#prune() };
    } catch (error) {
      if (created) rmSync(folder, { recursive: true, force: true });
      return { ok: false, reason: 'failed', message: `backup to ${path} failed: ${describeError(error)}` };
    }
  }

  /** Deletes the backups beyond the newest `keep`; one that cannot be deleted is left for the next time. */
  #prune(): string[] {
    const keep = this.#options.keep;
    if (keep === undefined) return [];
    const removed: string[] = [];
    for (const folder of backupsBeyond(this.#options.directory, keep)) {
      try {
        rmSync(folder, { recursive: true, force: true });
        removed.push(folder);
      } catch {
        // Left in place (permissions, a file held open): tried again after the next backup.
      }
    }
    return removed;
  }

  /** Copies the database into `path` in one transaction; resolves with the raw readings copied. */
  async #copy(path: string): Promise<number> {
    const connection = this.#connection;
    await connection.run(`ATTACH ${quoteText(path)} AS ${alias}`);
    let readings: number;
    try {
      await connection.run('BEGIN TRANSACTION');
      await connection.run(`COPY FROM DATABASE ${quoteName(this.#catalog)} TO ${alias}`);
      const counted = await connection.runAndReadAll(
        `SELECT (SELECT count(*) FROM ${alias}.main.readings) + (SELECT count(*) FROM ${alias}.main.readings_recent)`,
      );
      await connection.run('COMMIT');
      // Into the file itself, so that it needs no DuckDB log beside it.
      await connection.run(`CHECKPOINT ${alias}`);
      readings = Number(counted.getRows()[0]?.[0] ?? 0);
    } catch (error) {
      await connection.run('ROLLBACK').catch(() => undefined);
      await connection.run(`DETACH DATABASE IF EXISTS ${alias}`).catch(() => undefined);
      throw error;
    }
    await connection.run(`DETACH DATABASE ${alias}`);
    if (existsSync(`${path}.wal`)) throw new Error(`DuckDB left a log beside the copy (${path}.wal)`);
    return readings;
  }
}
