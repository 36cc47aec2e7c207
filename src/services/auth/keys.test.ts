import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nodeSecrets } from '../../adapters/crypto/secrets.ts';
import { MemoryKeyStore } from '../../adapters/memory/keys.ts';
import { KeyService } from './keys.ts';

void test('the first admin key is generated once, stored only as a hash, and not again at the next start', async () => {
  const store = new MemoryKeyStore();
  const first = await new KeyService(store, nodeSecrets).bootstrapAdmin(null);
  assert.equal(first.kind, 'generated');
  const secret = first.kind === 'generated' ? first.secret : '';
  assert.match(secret, /^ub_[A-Za-z0-9_-]{43}$/);
  const stored = await store.list();
  assert.equal(stored.length, 1);
  assert.equal(stored[0]?.hash, nodeSecrets.hash(secret));
  assert.ok(!JSON.stringify(stored).includes(secret));
  assert.equal((await new KeyService(store, nodeSecrets).bootstrapAdmin(null)).kind, 'existing');
});

void test('a configured admin key is registered, and stays revoked once revoked', async () => {
  const store = new MemoryKeyStore();
  const keys = new KeyService(store, nodeSecrets);
  assert.equal((await keys.bootstrapAdmin('configured-secret-123456')).kind, 'configured');
  const key = await keys.authenticate('configured-secret-123456');
  assert.equal(key?.role, 'admin');
  assert.equal(await keys.revoke(key!.id), true);
  assert.equal((await keys.bootstrapAdmin('configured-secret-123456')).kind, 'existing');
  assert.equal(await keys.authenticate('configured-secret-123456'), undefined);
});

void test('a key stops working at its expiry, also for a check of a key authenticated before', async () => {
  let now = 1_000;
  const keys = new KeyService(new MemoryKeyStore(), nodeSecrets, () => now);
  const created = await keys.create('contractor', 'device', { expiresMillis: 2_000 });
  assert.equal(created.info.expiresMillis, 2_000);
  const key = await keys.authenticate(created.secret);
  assert.equal(key?.id, created.info.id);
  assert.equal(await keys.isLive(key!), true);
  now = 1_999;
  assert.equal(await keys.isLive(key!), true);
  now = 2_000;
  assert.equal(await keys.authenticate(created.secret), undefined);
  assert.equal(await keys.isLive(key!), false, 'an open stream or MQTT session is ended at its next check');
  const lasting = await keys.create('gateway', 'device');
  assert.equal(lasting.info.expiresMillis, null);
  assert.notEqual(await keys.authenticate(lasting.secret), undefined);
});

void test('admin keys do not expire: a live admin key must always remain', async () => {
  const keys = new KeyService(new MemoryKeyStore(), nodeSecrets, () => 1_000);
  await assert.rejects(
    keys.create('temp admin', 'admin', { expiresMillis: 5_000 }),
    /admin keys do not expire/,
  );
});

void test('key ids are random, not derived from the secret', async () => {
  // Regression: ids were the first 12 hex digits of the unsalted SHA-256 of the key, shown to
  // viewers in work-order verdicts, so a human-chosen admin key could be guessed offline.
  const keys = new KeyService(new MemoryKeyStore(), nodeSecrets);
  const created = await keys.create('gateway', 'device');
  const again = await keys.create('gateway', 'device');
  assert.match(created.info.id, /^[0-9a-f]{12}$/);
  assert.notEqual(created.info.id, nodeSecrets.hash(created.secret).slice(0, 12));
  assert.notEqual(created.info.id, again.info.id);
});

void test('the configured admin key keeps one record and one id across restarts', async () => {
  const store = new MemoryKeyStore();
  const secret = 'configured-secret-123456';
  assert.equal((await new KeyService(store, nodeSecrets).bootstrapAdmin(secret)).kind, 'configured');
  const [first] = await store.list();
  assert.notEqual(first?.id, nodeSecrets.hash(secret).slice(0, 12));
  assert.equal((await new KeyService(store, nodeSecrets).bootstrapAdmin(secret)).kind, 'existing');
  assert.deepEqual(
    (await store.list()).map((key) => key.id),
    [first?.id],
  );
});

void test('a key stored with a derived id (before ids were random) keeps it and keeps working', async () => {
  const store = new MemoryKeyStore();
  const hash = nodeSecrets.hash('old-admin-secret-1234');
  await store.add({
    id: hash.slice(0, 12),
    name: 'admin',
    role: 'admin',
    hash,
    createdMillis: 1,
    revokedMillis: null,
  });
  const keys = new KeyService(store, nodeSecrets);
  assert.equal((await keys.authenticate('old-admin-secret-1234'))?.id, hash.slice(0, 12));
  assert.equal((await keys.bootstrapAdmin('old-admin-secret-1234')).kind, 'existing');
  assert.equal(await keys.revoke(hash.slice(0, 12)), true);
});

void test('a device key keeps its sensors, listed with it; keys without them list sensors: null', async () => {
  const keys = new KeyService(new MemoryKeyStore(), nodeSecrets);
  const scoped = await keys.create('gw-12', 'device', { sensors: ['gw-12.*'] });
  await keys.create('any', 'device');
  assert.deepEqual(scoped.info.sensors, ['gw-12.*']);
  assert.deepEqual((await keys.authenticate(scoped.secret))?.sensors, ['gw-12.*']);
  assert.deepEqual(
    (await keys.list()).map((key) => [key.name, key.sensors]),
    [
      ['gw-12', ['gw-12.*']],
      ['any', null],
    ],
  );
});

void test('revoking through the API keeps one live admin key, even when two admins are revoked at once', async () => {
  const keys = new KeyService(new MemoryKeyStore(), nodeSecrets);
  const first = await keys.create('alice', 'admin');
  const second = await keys.create('bob', 'admin');
  const heard: string[] = [];
  keys.onRevoke((id) => heard.push(id));
  const outcomes = await Promise.all([
    keys.revokeKeepingAnAdmin(first.info.id),
    keys.revokeKeepingAnAdmin(second.info.id),
  ]);
  assert.deepEqual(outcomes, [{ ok: true }, { ok: false, reason: 'last-admin' }]);
  assert.deepEqual(heard, [first.info.id]);
  assert.deepEqual(await keys.revokeKeepingAnAdmin(first.info.id), { ok: false, reason: 'unknown' });
  assert.equal(await keys.isLive((await keys.authenticate(second.secret))!), true);
});
