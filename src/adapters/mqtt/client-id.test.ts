import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { persistentClientId } from './client-id.ts';

void test('the client id is kept in the data directory: the same at every start, another for another directory', async (t) => {
  const [one, two] = [mkdtempSync(join(tmpdir(), 'ub-id-')), mkdtempSync(join(tmpdir(), 'ub-id-'))];
  t.after(() => [one, two].forEach((folder) => rmSync(folder, { recursive: true, force: true })));
  const first = await persistentClientId(one);
  assert.match(first, /^urban-brain-[0-9a-f]{12}$/);
  assert.equal(await persistentClientId(one), first);
  assert.notEqual(await persistentClientId(two), first);
});

void test('a damaged client id file is refused with its path and content, not replaced', async (t) => {
  const folder = mkdtempSync(join(tmpdir(), 'ub-id-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  writeFileSync(join(folder, 'mqtt-client-id'), 'garbage');
  await assert.rejects(persistentClientId(folder), /mqtt-client-id: 'garbage' is not an id/);
});
