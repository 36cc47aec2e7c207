import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPostgresBin } from './server-process.ts';

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
