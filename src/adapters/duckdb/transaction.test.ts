import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';
import { inTransaction } from './transaction.ts';

test('a failed COMMIT throws its own error, not the ROLLBACK that follows it', async () => {
  // Regression: "cannot rollback - no transaction is active" replaced the reason the commit failed.
  const instance = await DuckDBInstance.create(':memory:');
  const [first, second] = [await instance.connect(), await instance.connect()];
  try {
    await first.run('CREATE TABLE t (k INTEGER PRIMARY KEY)');
    const failed = inTransaction(first, async () => {
      await first.run('INSERT INTO t VALUES (1)');
      // Another connection commits the same key first: this transaction's COMMIT fails.
      await second.run('INSERT INTO t VALUES (1)');
    });
    await assert.rejects(failed, (error: Error) => {
      assert.match(error.message, /duplicate key/);
      assert.doesNotMatch(error.message, /cannot rollback/);
      return true;
    });
    await inTransaction(first, () => first.run('INSERT INTO t VALUES (2)').then(() => undefined));
    const rows = (await first.runAndReadAll('SELECT count(*) FROM t')).getRows();
    assert.equal(Number(rows[0]?.[0]), 2, 'the connection is usable again');
  } finally {
    first.closeSync();
    second.closeSync();
  }
});
