import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { PostgresKeyStore } from './keys-store.ts';
import { skipWithoutPostgres, startTestPostgres } from './postgres.test-helpers.ts';

test(
  'PostgreSQL: a key table made before sensor scopes gains the column; old keys stay unscoped, scopes persist',
  { skip: skipWithoutPostgres, timeout: 90_000 },
  async (t) => {
    const server = await startTestPostgres(t, 'ub-postgres-keys-');
    const old = new pg.Client({ connectionString: server.url });
    await old.connect();
    await old.query(`CREATE TABLE api_keys (id text PRIMARY KEY, name text NOT NULL, role text NOT NULL,
      hash text NOT NULL UNIQUE, created_millis bigint NOT NULL, revoked_millis bigint)`);
    await old.query(`INSERT INTO api_keys VALUES ('old', 'gateway', 'device', 'h1', 5, NULL)`);
    // A role this version does not know grants nothing (it was a TypeError, a 500, on every request).
    await old.query(`INSERT INTO api_keys VALUES ('odd', 'future', 'superuser', 'h9', 7, NULL)`);
    await old.end();

    const pool = await server.openPool();
    const keys = new PostgresKeyStore(pool, 0);
    assert.equal((await keys.findByHash('h1'))?.sensors, undefined, 'an old key may write every sensor');
    await keys.add({
      id: 'new',
      name: 'gw-12',
      role: 'device',
      hash: 'h2',
      sensors: ['gw-12.*', 'pump-7.flow'],
      createdMillis: 6,
      revokedMillis: null,
    });
    assert.deepEqual((await keys.findByHash('h2'))?.sensors, ['gw-12.*', 'pump-7.flow']);
    assert.equal(await keys.findByHash('h9'), undefined, 'a key of an unknown role is not found');
    assert.deepEqual(
      (await keys.list()).map((key) => [key.id, key.sensors]),
      [
        ['old', undefined],
        ['new', ['gw-12.*', 'pump-7.flow']],
      ],
    );
  },
);
