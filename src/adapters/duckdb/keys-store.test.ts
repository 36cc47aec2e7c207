import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ApiKey } from '../../core/auth/key.ts';
import type { KeyStore } from '../../ports/keys.ts';
import { MemoryKeyStore } from '../memory/keys.ts';
import { openDatabase } from './database.ts';
import { DuckDbKeyStore } from './keys-store.ts';

void test('a key table made before sensor scopes and expiry gains the columns; old keys stay unscoped and lasting, new ones keep theirs', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'urban-brain-keys-'));
  try {
    let database = await openDatabase({ dataDir });
    const connection = await database.connect();
    await connection.run(
      'CREATE TABLE api_keys (hash VARCHAR PRIMARY KEY, id VARCHAR NOT NULL, name VARCHAR NOT NULL, ' +
        'role VARCHAR NOT NULL, created_millis DOUBLE NOT NULL, revoked_millis DOUBLE)',
    );
    await connection.run("INSERT INTO api_keys VALUES ('h1', 'old', 'gateway', 'device', 5, NULL)");
    const keys = await DuckDbKeyStore.open(database);
    const [old] = await keys.list();
    assert.equal(old?.id, 'old');
    assert.equal(old?.sensors, undefined, 'a key stored before scopes may write every sensor, as before');
    await keys.add({
      id: 'new',
      name: 'gw-12',
      role: 'device',
      hash: 'h2',
      sensors: ['gw-12.*', 'pump-7.flow'],
      createdMillis: 6,
      revokedMillis: null,
      expiresMillis: 1_800_000_000_000,
    });
    database.close();

    database = await openDatabase({ dataDir });
    const reopened = await DuckDbKeyStore.open(database);
    assert.deepEqual((await reopened.findByHash('h2'))?.sensors, ['gw-12.*', 'pump-7.flow']);
    assert.equal((await reopened.findByHash('h2'))?.expiresMillis, 1_800_000_000_000);
    assert.equal((await reopened.findByHash('h1'))?.sensors, undefined);
    assert.equal(
      (await reopened.findByHash('h1'))?.expiresMillis,
      undefined,
      'a key stored before expiry never expires',
    );
    database.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

void test('keys are listed oldest first, after a restart as before it and as the memory store lists them', async () => {
  // Regression: after a restart the file's keys came back in no set order.
  const dataDir = mkdtempSync(join(tmpdir(), 'urban-brain-keys-'));
  try {
    const key = (id: string, createdMillis: number): ApiKey => ({
      id,
      name: id,
      role: 'viewer',
      hash: `hash-${id}`,
      createdMillis,
      revokedMillis: null,
    });
    const added = [key('c', 30), key('a', 10), key('b', 20), key('d', 20)];
    let database = await openDatabase({ dataDir });
    const keys = await DuckDbKeyStore.open(database);
    const memory = new MemoryKeyStore();
    for (const each of added) {
      await keys.add(each);
      await memory.add(each);
    }
    const ids = async (store: KeyStore) => (await store.list()).map((each) => each.id);
    assert.deepEqual(await ids(memory), ['a', 'b', 'd', 'c']);
    assert.deepEqual(await ids(keys), ['a', 'b', 'd', 'c']);
    database.close();
    database = await openDatabase({ dataDir });
    assert.deepEqual(await ids(await DuckDbKeyStore.open(database)), ['a', 'b', 'd', 'c']);
    database.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

void test('of the last two admin keys revoked at once, one is refused, and the outcome is in the file', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'urban-brain-keys-'));
  try {
    const admin = (id: string): ApiKey => ({
      id,
      name: id,
      role: 'admin',
      hash: `hash-${id}`,
      createdMillis: 1,
      revokedMillis: null,
    });
    let database = await openDatabase({ dataDir });
    const keys = await DuckDbKeyStore.open(database);
    await keys.add(admin('a'));
    await keys.add(admin('b'));
    const outcomes = await Promise.all([
      keys.revokeKeepingAnAdmin('a', 5),
      keys.revokeKeepingAnAdmin('b', 5),
    ]);
    assert.deepEqual(outcomes, ['revoked', 'last-admin']);
    assert.equal(await keys.revokeKeepingAnAdmin('a', 6), 'unknown');
    database.close();
    database = await openDatabase({ dataDir });
    const reopened = await DuckDbKeyStore.open(database);
    assert.deepEqual(
      (await reopened.list()).map((key) => [key.id, key.revokedMillis]),
      [
        ['a', 5],
        ['b', null],
      ],
    );
    database.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
