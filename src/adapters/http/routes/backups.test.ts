import { test } from 'node:test';
import assert from 'node:assert/strict';
import { httpFixture } from '../../../../test/support/http-fixture.ts';
import type { BackupOutcome } from '../../duckdb/backup.ts';
import { backupRoutes, clusterBackupRoutes } from './backups.ts';

function maker(outcome: BackupOutcome) {
  let calls = 0;
  return {
    calls: () => calls,
    create: async () => {
      calls += 1;
      return outcome;
    },
  };
}

const done: BackupOutcome = {
  ok: true,
  path: '/data/backups/2026-01-01T00-00-00.000Z/urban-brain.duckdb',
  bytes: 1_585_152,
  readings: 2,
  tookMillis: 143,
  removed: ['/data/backups/2025-12-31T00-00-00.000Z'],
};

test('an admin gets 201 with the file, its size, its readings and the time it took', async () => {
  const backups = maker(done);
  const fixture = await httpFixture({ routes: [{ path: '/api/v1', app: backupRoutes(backups) }] });
  const response = await fixture.request('admin', '/api/v1/backups', { method: 'POST' });
  assert.equal(response.status, 201);
  const { ok: _ok, ...expected } = done;
  assert.deepEqual(await response.json(), expected);
});

test('a backup takes no parameter and no body: one sent is refused (400), not ignored, and nothing is copied', async () => {
  const backups = maker(done);
  const fixture = await httpFixture({ routes: [{ path: '/api/v1', app: backupRoutes(backups) }] });
  const refused = [
    { path: '/api/v1/backups?keep=1', error: "unknown parameter 'keep': it takes none" },
    { path: '/api/v1/backups', body: '{"path":"/tmp/elsewhere"}', error: 'POST /backups takes no body' },
    { path: '/api/v1/backups', body: '{', error: 'POST /backups takes no body' },
  ];
  for (const { path, body, error } of refused) {
    const response = await fixture.request('admin', path, {
      method: 'POST',
      ...(body === undefined ? {} : { body }),
    });
    assert.equal(response.status, 400, `${path} ${body}`);
    assert.ok(((await response.json()) as { error: string }).error.startsWith(error));
  }
  assert.equal(backups.calls(), 0);
  for (const body of ['', '{}', ' {} \n'])
    assert.equal((await fixture.request('admin', '/api/v1/backups', { method: 'POST', body })).status, 201);
});

test('only admin keys may make a backup: other roles get 403 and nothing is copied', async () => {
  const backups = maker(done);
  const fixture = await httpFixture({ routes: [{ path: '/api/v1', app: backupRoutes(backups) }] });
  for (const role of ['viewer', 'operator', 'device'] as const) {
    const response = await fixture.request(role, '/api/v1/backups', { method: 'POST' });
    assert.equal(response.status, 403, role);
  }
  assert.equal((await fixture.request(null, '/api/v1/backups', { method: 'POST' })).status, 401);
  assert.equal(backups.calls(), 0);
});

test('a backup while another runs gets 409, a failed one 500 with the reason, during shutdown 503', async () => {
  const cases: [BackupOutcome, number, RegExp][] = [
    [{ ok: false, reason: 'busy' }, 409, /a backup is running/],
    [{ ok: false, reason: 'failed', message: 'backup to /x failed: ENOSPC' }, 500, /ENOSPC/],
    [{ ok: false, reason: 'stopping' }, 503, /stopping/],
  ];
  for (const [outcome, status, error] of cases) {
    const routes = [{ path: '/api/v1', app: backupRoutes(maker(outcome)) }];
    const fixture = await httpFixture({ routes });
    const response = await fixture.request('admin', '/api/v1/backups', { method: 'POST' });
    assert.equal(response.status, status);
    assert.match(((await response.json()) as { error: string }).error, error);
  }
});

test('scaled out, a backup answers 501 naming pg_dump and ClickHouse BACKUP', async () => {
  const fixture = await httpFixture({ routes: [{ path: '/api/v1', app: clusterBackupRoutes() }] });
  const response = await fixture.request('admin', '/api/v1/backups', { method: 'POST' });
  assert.equal(response.status, 501);
  const { error } = (await response.json()) as { error: string };
  assert.match(error, /pg_dump/);
  assert.match(error, /BACKUP/);
  const operator = await fixture.request('operator', '/api/v1/backups', { method: 'POST' });
  assert.equal(operator.status, 403);
});
