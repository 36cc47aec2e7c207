import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allows, type Permission, type Role } from './role.ts';

const expected: Record<Role, Permission[]> = {
  viewer: ['read'],
  operator: ['read', 'act'],
  admin: ['read', 'act', 'ingest', 'manage'],
  device: ['ingest'],
};

void test('each role holds exactly its permissions', () => {
  for (const [role, permissions] of Object.entries(expected) as [Role, Permission[]][]) {
    for (const permission of ['read', 'act', 'ingest', 'manage'] as const) {
      assert.equal(allows(role, permission), permissions.includes(permission), `${role} ${permission}`);
    }
  }
});

void test('a role name as requirement admits that role and admins only (operator: operator, admin)', () => {
  const admitted = (needed: Role) =>
    (['viewer', 'operator', 'admin', 'device'] as const).filter((r) => allows(r, needed));
  assert.deepEqual(admitted('operator'), ['operator', 'admin']);
  assert.deepEqual(admitted('viewer'), ['viewer', 'operator', 'admin']);
  assert.deepEqual(admitted('admin'), ['admin']);
  assert.deepEqual(admitted('device'), ['admin', 'device']);
});
