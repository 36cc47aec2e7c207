import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { KeyService } from '../../services/auth/keys.ts';
import { nodeSecrets } from '../crypto/secrets.ts';
import { PostgresKeyStore } from './keys-store.ts';
import { skipWithoutPostgres, startTestPostgres } from './postgres.test-helpers.ts';

test(
  'PostgreSQL: a key table made before sensor scopes and expiry gains the columns; old keys stay unscoped and lasting, new ones keep theirs',
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
      expiresMillis: 1_800_000_000_000,
    });
    assert.deepEqual((await keys.findByHash('h2'))?.sensors, ['gw-12.*', 'pump-7.flow']);
    assert.equal((await keys.findByHash('h2'))?.expiresMillis, 1_800_000_000_000);
    assert.equal(
      (await keys.findByHash('h1'))?.expiresMillis,
      undefined,
      'a key stored before expiry never expires',
    );
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

test(
  'PostgreSQL: of the last two admin keys revoked at once through two stores, one is refused',
  { skip: skipWithoutPostgres, timeout: 90_000 },
  async (t) => {
    // Regression: the last-admin check ran in each process, so two API processes revoking the last
    // two admin keys at the same time both succeeded and left no admin key.
    const server = await startTestPostgres(t, 'ub-postgres-last-admin-');
    const first = new KeyService(new PostgresKeyStore(await server.openPool(), 0), nodeSecrets);
    const second = new KeyService(new PostgresKeyStore(await server.openPool(), 0), nodeSecrets);
    const liveAdmins = async () =>
      (await first.list()).filter((key) => key.role === 'admin' && key.revokedMillis === null);
    const operator = await first.create('ops', 'operator');
    let survivor = (await first.create('admin 0', 'admin')).info.id;
    for (let round = 1; round <= 5; round += 1) {
      const other = (await second.create(`admin ${round}`, 'admin')).info.id;
      const outcomes = await Promise.all([
        first.revokeKeepingAnAdmin(survivor),
        second.revokeKeepingAnAdmin(other),
      ]);
      assert.deepEqual(
        outcomes.map((outcome) => (outcome.ok ? 'revoked' : outcome.reason)).sort(),
        ['last-admin', 'revoked'],
        `round ${round}`,
      );
      const live = await liveAdmins();
      assert.equal(live.length, 1, `round ${round}: one admin key is left`);
      survivor = live[0]!.id;
    }
    assert.deepEqual(await second.revokeKeepingAnAdmin(survivor), { ok: false, reason: 'last-admin' });
    assert.deepEqual(await second.revokeKeepingAnAdmin(operator.info.id), { ok: true });
    assert.deepEqual(await first.revokeKeepingAnAdmin(operator.info.id), { ok: false, reason: 'unknown' });
    assert.deepEqual(await first.revokeKeepingAnAdmin('no-such-key'), { ok: false, reason: 'unknown' });
  },
);
