import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeFolder } from './folders.ts';

test('makes a folder and its missing parents, and is content when it is there already', () => {
  const root = mkdtempSync(join(tmpdir(), 'folders-'));
  try {
    const deep = join(root, 'a', 'b', 'c');
    makeFolder(deep);
    assert.ok(statSync(deep).isDirectory());
    makeFolder(deep);
    makeFolder(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a file in the way is an error naming it', () => {
  const root = mkdtempSync(join(tmpdir(), 'folders-'));
  try {
    writeFileSync(join(root, 'file'), '');
    assert.throws(() => makeFolder(join(root, 'file', 'below')), /ENOTDIR/);
    assert.throws(
      () => makeFolder(join(root, 'file')),
      /^Error: EEXIST: file already exists, mkdir '.*file'$/,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a place where no folder can be made fails at once (bug: Node’s recursive mkdir looped for ever under /proc)', (t) => {
  if (!existsSync('/proc/self')) return t.skip('no /proc here');
  assert.throws(() => makeFolder('/proc/urban-brain-test/results'), /ENOENT.*\/proc\/urban-brain-test/);
});
