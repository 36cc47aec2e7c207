import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * Runs `work` in a transaction on `connection` and commits it. On failure the transaction is
 * rolled back and the original error thrown: when COMMIT itself failed, DuckDB has already ended
 * the transaction, and the ROLLBACK's own error ("no transaction is active") would hide the cause.
 */
export async function inTransaction(
  connection: Pick<DuckDBConnection, 'run'>,
  work: () => Promise<void>,
): Promise<void> {
  await connection.run('BEGIN TRANSACTION');
  try {
    await work();
    await connection.run('COMMIT');
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Moves `table` of a file made before to a new shape in one transaction: creates it again as
 * `definition` under another name, copies `columns` (all, by default) across, drops the old table
 * and renames the new one. How a table changes shape here: DuckDB 1.5 cannot replay `ALTER TABLE …
 * ADD COLUMN` from its log on a table whose default calls `nextval` (after a crash before the next
 * checkpoint the file does not open), while these statements replay.
 */
export async function moveTable(
  connection: Pick<DuckDBConnection, 'run'>,
  table: string,
  definition: string,
  columns?: string,
): Promise<void> {
  const moved = `${table}_moved`;
  const copy =
    columns === undefined
      ? `INSERT INTO ${moved} SELECT * FROM ${table}`
      : `INSERT INTO ${moved} (${columns}) SELECT ${columns} FROM ${table}`;
  await inTransaction(connection, async () => {
    await connection.run(`CREATE TABLE ${moved} ${definition}`);
    await connection.run(copy);
    await connection.run(`DROP TABLE ${table}`);
    await connection.run(`ALTER TABLE ${moved} RENAME TO ${table}`);
  });
}
