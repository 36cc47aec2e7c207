import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import { isInstalled } from '../installed.ts';
import { freePort } from '../free-port.ts';
import { guardedInsert, revokeInserts, shardEndpoint } from './guarded-insert.ts';
import { schemaStatements } from './schema.ts';
import { startClickHouseServer } from './server-process.ts';

const skip = isInstalled('clickhouse-server')
  ? false
  : 'clickhouse-server is not installed (Debian package clickhouse-server)';

test(
  'a guarded insert stores and rolls up its rows, unless its id was revoked first',
  { skip, timeout: 120_000 },
  async () => {
    const directory = await mkdtemp(join(tmpdir(), 'ub-guarded-'));
    const node = { httpPort: await freePort(), tcpPort: await freePort() };
    const server = await startClickHouseServer(join(directory, 'shard'), node, 'ub', [node]);
    const url = `http://127.0.0.1:${node.httpPort}`;
    const client = createClient({ url });
    const count = async (query: string): Promise<number> => {
      const rows = await (await client.query({ query, format: 'JSONEachRow' })).json<{ n: string }>();
      return Number(rows[0]?.n);
    };
    const stored = async () => ({
      raw: await count('SELECT count() AS n FROM ub_guarded.readings_local'),
      rolledUp: await count('SELECT countMerge(readings) AS n FROM ub_guarded.rollup_hour_local'),
    });
    try {
      for (const statement of schemaStatements('ub', 'ub_guarded', false))
        await client.command({ query: statement });
      const day = Date.UTC(2026, 0, 10);
      const readings = [
        { sensor: 'pump-1', ts: day, value: 1.5 },
        { sensor: 'pump-1', ts: day + 60_000, value: 2.5 },
        { sensor: 'pump-2', ts: day, value: -3 },
      ];
      await guardedInsert(shardEndpoint(url), 'ub_guarded', readings, 'write-1', 10_000);
      assert.deepEqual(await stored(), { raw: 3, rolledUp: 3 });
      // A write that failed on the writer's side is revoked: if the server runs it later, it stores nothing.
      await revokeInserts(client, 'ub_guarded', ['write-2']);
      const later = readings.map((reading) => ({ ...reading, ts: reading.ts + 3_600_000 }));
      await guardedInsert(shardEndpoint(url), 'ub_guarded', later, 'write-2', 10_000);
      assert.deepEqual(await stored(), { raw: 3, rolledUp: 3 });
      await guardedInsert(shardEndpoint(url), 'ub_guarded', later, 'write-3', 10_000);
      assert.deepEqual(await stored(), { raw: 6, rolledUp: 6 });
      await assert.rejects(
        guardedInsert(
          shardEndpoint(`http://nobody:wrong@127.0.0.1:${node.httpPort}`),
          'ub_guarded',
          readings,
          'w',
          10_000,
        ),
        /refused the insert \(\d+\): .*nobody/,
      );
    } finally {
      await client.close();
      server.kill('SIGKILL');
      await rm(directory, { recursive: true, force: true });
    }
  },
);

test('a shard URL with a user and password signs in with them, and leaves them out of the URL', () => {
  const endpoint = shardEndpoint('http://ingest:s%40cret@clickhouse-1:8123');
  assert.equal(endpoint.url.href, 'http://clickhouse-1:8123/');
  assert.equal(endpoint.headers['authorization'], `Basic ${Buffer.from('ingest:s@cret').toString('base64')}`);
  assert.deepEqual(shardEndpoint('http://clickhouse-1:8123').headers, {});
});
