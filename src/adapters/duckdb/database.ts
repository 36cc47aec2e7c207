import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { makeFolder } from '../files/folders.ts';

/** Options of the embedded database. */
export interface DatabaseOptions {
  /** Folder holding the database file; created if missing. */
  dataDir: string;
  /** File name inside `dataDir`. */
  fileName?: string;
  /** DuckDB worker threads; defaults to DuckDB's own choice. */
  threads?: number;
  /** DuckDB memory limit in megabytes. */
  memoryLimitMegabytes?: number;
}

/**
 * One DuckDB instance over one file, handing out connections. Every store and registry in the
 * process shares it (DuckDB allows one writer process per file).
 */
export interface Database {
  readonly path: string;
  connect(): Promise<DuckDBConnection>;
  close(): void;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  makeFolder(options.dataDir);
  const path = join(options.dataDir, options.fileName ?? 'urban-brain.duckdb');
  const config: Record<string, string> = {};
  if (options.threads !== undefined) config['threads'] = String(options.threads);
  if (options.memoryLimitMegabytes !== undefined)
    config['memory_limit'] = `${options.memoryLimitMegabytes}MB`;
  const instance = await DuckDBInstance.create(path, config);
  const connections: DuckDBConnection[] = [];
  let closed = false;
  return {
    path,
    async connect() {
      if (closed) throw new Error(`database ${path} is closed`);
      const connection = await instance.connect();
      connections.push(connection);
      return connection;
    },
    close() {
      if (closed) return;
      closed = true;
      for (const connection of connections) connection.closeSync();
      instance.closeSync();
    },
  };
}
