import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startServer, type ServerProcess } from './support/server-process.ts';

const sensors = ['pump-1.flow', 'backup-a', 'backup-b', 'backup-c'];
const batchReadings = 200;

function call(server: ServerProcess, key: string, method: string, path: string, body?: unknown) {
  return fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** Sends batches until `stop()`, recording the timestamps of every acknowledged batch per sensor. */
async function ingestUntil(
  server: ServerProcess,
  base: number,
  acked: Map<string, number[]>,
  stop: () => boolean,
) {
  for (let seq = 0; !stop(); seq += batchReadings) {
    const batch = Array.from({ length: batchReadings }, (_, i) => ({
      sensor: sensors[(seq + i) % sensors.length] as string,
      ts: base + seq + i,
      value: seq + i,
    }));
    const response = await call(server, server.adminKey, 'POST', '/api/v1/readings', batch);
    await response.arrayBuffer();
    if (response.status !== 200) continue;
    for (const reading of batch) acked.get(reading.sensor)?.push(reading.ts);
  }
}

/** Timestamps stored for `sensor` in [from, to), read back in 1 ms buckets, 100,000 at a time. */
async function storedTimestamps(
  server: ServerProcess,
  key: string,
  sensor: string,
  from: number,
  to: number,
) {
  const stored = new Set<number>();
  for (let start = from; start < to; start += 100_000) {
    const end = Math.min(to, start + 100_000);
    const path = `/api/v1/sensors/${sensor}/readings?from=${start}&to=${end}&step=1&agg=count`;
    const response = await call(server, key, 'GET', path);
    assert.equal(response.status, 200, `${sensor}: ${await response.clone().text()}`);
    const { points } = (await response.json()) as { points: { ts: number }[] };
    for (const point of points) stored.add(point.ts);
  }
  return stored;
}

async function stop(server: ServerProcess): Promise<void> {
  server.child.kill('SIGTERM');
  assert.equal(await server.exited, 0, server.log());
}

test('a backup taken while readings stream in restores every reading acknowledged before it, the registry and the keys', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'backup-e2e-'));
  const restoredDir = mkdtempSync(join(tmpdir(), 'backup-e2e-restored-'));
  const kept = join(tmpdir(), `backup-e2e-kept-${process.pid}.duckdb`);
  const base = Date.now() - 3_600_000;
  let server = await startServer(dataDir);
  try {
    const admin = server.adminKey;
    const asset = { id: 'pump-1', type: 'pump', name: 'Pump 1' };
    assert.equal((await call(server, admin, 'POST', '/api/v1/assets', asset)).status, 201);
    const sensor = { id: 'pump-1.flow', kind: 'flow', unit: 'l/s', asset: 'pump-1' };
    assert.equal((await call(server, admin, 'POST', '/api/v1/sensors', sensor)).status, 201);
    const created = await call(server, admin, 'POST', '/api/v1/keys', {
      name: 'control room',
      role: 'operator',
    });
    assert.equal(created.status, 201);
    const operator = ((await created.json()) as { key: string }).key;

    const acked = new Map(sensors.map((id) => [id, [] as number[]]));
    let ingesting = true;
    const client = ingestUntil(server, base, acked, () => !ingesting);
    while ((acked.get('backup-a')?.length ?? 0) < 2_000)
      await new Promise((resolve) => setTimeout(resolve, 20));

    assert.equal((await call(server, operator, 'POST', '/api/v1/backups')).status, 403);
    // A new sensor is registered a moment after its first reading is acknowledged: the backup waits for it.
    const first = await call(server, admin, 'POST', '/api/v1/readings', [
      { sensor: 'backup-new', ts: base, value: 1 },
    ]);
    assert.equal(first.status, 200);
    const before = new Map([...acked].map(([id, list]) => [id, [...list]]));
    // Two at once: one is made, the other is refused while it runs.
    const answers = await Promise.all([
      call(server, admin, 'POST', '/api/v1/backups'),
      call(server, admin, 'POST', '/api/v1/backups'),
    ]);
    const byStatus = new Map(answers.map((answer) => [answer.status, answer]));
    assert.deepEqual([...byStatus.keys()].sort(), [201, 409]);
    const backup = (await byStatus.get(201)!.json()) as { path: string; bytes: number; readings: number };
    const refused = (await byStatus.get(409)!.json()) as { error: string };
    assert.match(refused.error, /a backup is running/);
    const beforeCount = [...before.values()].reduce((sum, list) => sum + list.length, 0);
    assert.ok(
      backup.readings >= beforeCount,
      `${backup.readings} readings in the backup, ${beforeCount} acknowledged`,
    );
    assert.ok(backup.bytes > 0);
    assert.ok(backup.path.startsWith(join(dataDir, 'backups')), backup.path);
    await new Promise((resolve) => setTimeout(resolve, 200));
    ingesting = false;
    await client;

    // A backups folder that cannot be written: a clear 500, and nothing left behind.
    renameSync(backup.path, kept);
    rmSync(join(dataDir, 'backups'), { recursive: true });
    writeFileSync(join(dataDir, 'backups'), 'not a folder');
    const failed = await call(server, admin, 'POST', '/api/v1/backups');
    assert.equal(failed.status, 500);
    assert.match(((await failed.json()) as { error: string }).error, /^backup to .* failed: .*backups/);
    await stop(server);

    copyFileSync(kept, join(restoredDir, 'urban-brain.duckdb'));
    server = await startServer(restoredDir);
    for (const [id, list] of before) {
      const stored = await storedTimestamps(server, operator, id, base, Math.max(base, ...list) + 1);
      const missing = list.filter((ts) => !stored.has(ts));
      assert.deepEqual(
        missing.slice(0, 5),
        [],
        `${id}: ${missing.length} of ${list.length} acknowledged readings missing`,
      );
    }
    const registered = await call(server, operator, 'GET', '/api/v1/sensors/pump-1.flow');
    assert.equal(((await registered.json()) as { asset: string }).asset, 'pump-1');
    assert.equal((await call(server, operator, 'GET', '/api/v1/assets/pump-1')).status, 200);
    for (const id of ['backup-c', 'backup-new'])
      assert.equal(
        (await call(server, operator, 'GET', `/api/v1/sensors/${id}`)).status,
        200,
        `${id} auto-registered`,
      );
    const later = [{ sensor: 'backup-a', ts: base + 9_000_000, value: 1 }];
    const accepted = await call(server, admin, 'POST', '/api/v1/readings', later);
    assert.equal(accepted.status, 200, await accepted.text());
    await stop(server);
  } finally {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(restoredDir, { recursive: true, force: true });
    rmSync(kept, { force: true });
  }
});
