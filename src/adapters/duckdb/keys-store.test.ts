import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase } from './database.ts';
import { DuckDbKeyStore } from './keys-store.ts';

void test('a key table made before sensor scopes gains the column; old keys stay unscoped, scopes persist', async () => {
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
    });
    database.close();

    database = await openDatabase({ dataDir });
    const reopened = await DuckDbKeyStore.open(database);
    assert.deepEqual((await reopened.findByHash('h2'))?.sensors, ['gw-12.*', 'pump-7.flow']);
    assert.equal((await reopened.findByHash('h1'))?.sensors, undefined);
    database.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
