import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';
import { releaseFreedMemory } from './allocator.ts';

const residentMegabytes = (): number => process.memoryUsage().rss / 1_048_576;

for (const threads of [1, 2]) {
  test(`memory DuckDB freed leaves the process once released (${threads} threads), and the thread count stays`, async () => {
    const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
    const connection = await instance.connect();
    try {
      // About 200 MB of strings, then dropped: DuckDB's allocator keeps the pages it freed.
      await connection.run("CREATE TABLE filler AS SELECT i, repeat('x', 1000) AS s FROM range(200000) r(i)");
      await connection.run('DROP TABLE filler');
      const kept = residentMegabytes();
      await releaseFreedMemory(connection);
      const released = kept - residentMegabytes();
      assert.ok(released > 100, `released ${released.toFixed(0)} MB of the ~200 MB freed`);
      const rows = (await connection.runAndReadAll("SELECT current_setting('threads')")).getRows();
      assert.equal(Number(rows[0]?.[0]), threads);
      await connection.run('CREATE TABLE after AS SELECT * FROM range(1000) r(i)');
      const count = (await connection.runAndReadAll('SELECT count(*) FROM after')).getRows();
      assert.equal(Number(count[0]?.[0]), 1000, 'queries run after the release');
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
}
