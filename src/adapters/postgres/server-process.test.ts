import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { freePort } from '../free-port.ts';
import { findPostgresBin, hasPostgres, startPostgresServer, stopPostgresServer } from './server-process.ts';

test('the newest installed PostgreSQL of 15 or later is used; bug: only 15 was looked for', () => {
  const root = mkdtempSync(join(tmpdir(), 'ub-postgresql-'));
  try {
    assert.equal(findPostgresBin(join(root, 'absent')), join(root, 'absent', '15', 'bin'));
    for (const major of ['13', '16', '17']) {
      mkdirSync(join(root, major, 'bin'), { recursive: true });
      if (major !== '17') writeFileSync(join(root, major, 'bin', 'postgres'), '');
    }
    // 17 has no server binary (a client-only package), 13 is too old.
    assert.equal(findPostgresBin(root), join(root, '16', 'bin'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test(
  'a server that exits before its port opens fails the start at once, pointing at its log; bug: 30 s wait, no reason',
  { skip: hasPostgres() ? false : 'PostgreSQL is not installed' },
  async () => {
    const directory = await mkdtemp(join(tmpdir(), 'ub-postgres-start-'));
    try {
      await startPostgresServer(directory, await freePort());
      // The same data folder again, on another port: the running server holds its lock file.
      const started = Date.now();
      await assert.rejects(startPostgresServer(directory, await freePort()), (error: Error) => {
        assert.match(
          error.message,
          /PostgreSQL in .* \(log .*postgres\.log\) exited \(1\) before it answered/,
        );
        return true;
      });
      assert.ok(Date.now() - started < 15_000, `failed after ${Date.now() - started} ms`);
      assert.match(await readFile(join(directory, 'postgres.log'), 'utf8'), /lock file/);
    } finally {
      stopPostgresServer(directory);
      await rm(directory, { recursive: true, force: true });
    }
  },
);
