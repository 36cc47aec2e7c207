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
