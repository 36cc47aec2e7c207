import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from './database.ts';
import { isInvalidated, watchDatabase } from './database-watch.ts';

const settled = <T>(promise: Promise<T>, millis: number) =>
  Promise.race([promise, new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), millis))]);

test('a checkpoint that fails invalidates the database, and the watch reports it once', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'urban-brain-watch-'));
  const database = await openDatabase({ dataDir });
  try {
    const watch = await watchDatabase(database, 10);
    const connection = await database.connect();
    await connection.run('CREATE TABLE t (k INTEGER)');
    await connection.run('INSERT INTO t VALUES (1)');
    assert.equal(await settled(watch.lost, 200), 'pending', 'a working database is not reported');
    // DuckDB's own switch to fail a checkpoint, as running out of memory in one did.
    await connection.run("PRAGMA debug_checkpoint_abort='before_header'");
    await assert.rejects(connection.run('CHECKPOINT'), /Failed to create checkpoint/);
    const error = await settled(watch.lost, 5_000);
    assert.ok(error instanceof Error, 'reported');
    assert.ok(isInvalidated(error), String(error));
    await assert.rejects(connection.run('SELECT count(*) FROM t'), (thrown) => isInvalidated(thrown));
  } finally {
    database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a stopped watch probes no more', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'urban-brain-watch-'));
  const database = await openDatabase({ dataDir });
  try {
    const watch = await watchDatabase(database, 10);
    watch.stop();
    const connection = await database.connect();
    await connection.run('CREATE TABLE t (k INTEGER)');
    await connection.run("PRAGMA debug_checkpoint_abort='before_header'");
    await assert.rejects(connection.run('CHECKPOINT'));
    assert.equal(await settled(watch.lost, 200), 'pending');
  } finally {
    database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
