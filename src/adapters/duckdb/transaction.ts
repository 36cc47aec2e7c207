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
