import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReadingQueryService } from '../../services/query/reading-query-service.ts';
import { createClient } from '@clickhouse/client';
import { ClickHouseReadings, runningQueries } from './clickhouse-readings.ts';
import { startClickHouseServer } from './server-process.ts';
import { isInstalled } from '../installed.ts';
import { freePort } from '../free-port.ts';

const skip = isInstalled('clickhouse-server')
  ? false
  : 'clickhouse-server is not installed (Debian package clickhouse-server)';

test(
  'ClickHouse store across two shards: dedup check, series from raw and rollups, latest, retention, with and without the minute rollup',
  { skip, timeout: 120_000 },
  async () => {
    const directory = await mkdtemp(join(tmpdir(), 'ub-clickhouse-'));
    const nodes = [
      { httpPort: 28123, tcpPort: 29000 },
      { httpPort: 28124, tcpPort: 29001 },
    ];
    const servers: ChildProcess[] = [];
    let store: ClickHouseReadings | undefined;
    try {
      for (const [index, node] of nodes.entries())
        servers.push(await startClickHouseServer(join(directory, `shard-${index}`), node, 'ub', nodes));
      store = await ClickHouseReadings.open({
        shardUrls: nodes.map((node) => `http://127.0.0.1:${node.httpPort}`),
        cluster: 'ub',
        database: 'ub_test',
        minuteRollup: true,
      });
      await store.ping();
      const misnamed = ClickHouseReadings.connect({
        shardUrls: nodes.map((node) => `http://127.0.0.1:${node.httpPort}`),
        cluster: 'ub',
        database: 'ub_tset',
        minuteRollup: true,
      });
      try {
        await assert.rejects(misnamed.ping(), /shard [12] has no database 'ub_tset'/);
      } finally {
        await misnamed.close();
      }
      const day = Date.UTC(2026, 0, 10);
      const readings = [];
      for (let sensor = 0; sensor < 20; sensor += 1)
        for (let minute = 0; minute < 120; minute += 1)
          readings.push({ sensor: `s-${sensor}`, ts: day + minute * 60_000 + sensor, value: minute });
      await store.insert(readings);
      assert.deepEqual(await store.countDistinct(), { rows: 2400, distinct: 2400 });

      assert.equal(
        (await store.existing(readings, 7)).size,
        2400,
        'a large batch is checked in several queries',
      );
      const again = [readings[0]!, { sensor: 's-0', ts: day - 1, value: 7 }];
      const missing = await store.missing(again);
      assert.deepEqual(
        missing,
        [{ sensor: 's-0', ts: day - 1, value: 7 }],
        'a stored reading is found on its shard',
      );
      // With the missing ones, each sensor's newest stored reading from the earliest asked for on:
      // what lets a processor take a later reading as new without asking.
      const checked = await store.check([
        { sensor: 's-0', ts: day + 30 * 60_000, value: 0 },
        { sensor: 's-1', ts: day + 200 * 60_000, value: 0 },
        { sensor: 'nobody', ts: day, value: 0 },
      ]);
      assert.deepEqual(checked.missing, [
        { sensor: 's-1', ts: day + 200 * 60_000, value: 0 },
        { sensor: 'nobody', ts: day, value: 0 },
      ]);
      assert.deepEqual(
        checked.newest,
        new Map([
          ['s-0', day + 119 * 60_000],
          ['s-1', day + 119 * 60_000 + 1],
        ]),
      );

      // Through the query service, as the API reads it: it picks the rollup for each step.
      const queries = new ReadingQueryService(store);
      const hourly = await queries.series('s-3', day, day + 2 * 3_600_000, 3_600_000, 'avg');
      assert.deepEqual(hourly, [
        { ts: day, value: 29.5 },
        { ts: day + 3_600_000, value: 89.5 },
      ]);
      const raw = await queries.series('s-3', day, day + 10 * 60_000, 300_001, 'count');
      assert.equal(
        raw.reduce((sum, point) => sum + point.value, 0),
        10,
      );
      const counted = await queries.series('s-3', day, day + 3_600_000, 60_000, 'count');
      assert.equal(counted.length, 60);
      assert.ok(counted.every((point) => point.value === 1));
      // A range that does not start on a rollup bucket: readings before `from` are not counted.
      const unaligned = day + 10 * 60_000 + 30_000;
      for (const [aggregation, values] of [
        ['count', [49, 60]],
        ['avg', [35, 89.5]],
        ['min', [11, 60]],
        ['sum', [1715, 5370]],
        ['last', [59, 119]],
      ] as const) {
        assert.deepEqual(
          await queries.series('s-3', unaligned, day + 2 * 3_600_000, 3_600_000, aggregation),
          values.map((value, k) => ({ ts: day + k * 3_600_000, value })),
          `${aggregation} from minute 10.5 on`,
        );
      }
      assert.deepEqual(await queries.series('s-3', day, day + 90 * 60_000 + 4, 3_600_000, 'count'), [
        { ts: day, value: 60 },
        { ts: day + 3_600_000, value: 31 },
      ]);
      const latest = await store.latest(['s-1', 's-19', 'nobody']);
      assert.deepEqual([...latest.keys()].sort(), ['s-1', 's-19']);
      assert.deepEqual(latest.get('s-19'), { ts: day + 119 * 60_000 + 19, value: 119 });

      // RowBinary carries any id and every value bit for bit.
      const odd = { sensor: `ü-${'x'.repeat(200)}`, ts: day + 5, value: 0.1 + 0.2 };
      await store.insert([odd, { sensor: 'tiny', ts: day + 6, value: -1.5e-300 }]);
      assert.deepEqual((await store.latest([odd.sensor])).get(odd.sensor), { ts: odd.ts, value: odd.value });
      assert.deepEqual((await store.latest(['tiny'])).get('tiny'), { ts: day + 6, value: -1.5e-300 });
      const removed = await store.applyRetention(day + 2 * 86_400_000 + 1, { rawMillis: 86_400_000 });
      assert.equal(removed, 2402);

      await store.insert(readings);
      await store.insert([{ sensor: 's-0', ts: day + 86_400_000 * 2, value: 1 }]);
      const dropped = await store.applyRetention(day + 86_400_000 * 2 + 1, { rawMillis: 86_400_000 });
      assert.equal(dropped, 2400, 'the old day is dropped, the new one kept');
      assert.equal(await store.count(), 1);

      // Without the minute rollup (the cluster's default): minute steps come from the raw readings,
      // which are then kept as long as the minute rollup would have been.
      const lean = await ClickHouseReadings.open({
        shardUrls: nodes.map((node) => `http://127.0.0.1:${node.httpPort}`),
        cluster: 'ub',
        database: 'ub_lean',
        minuteRollup: false,
      });
      try {
        await lean.insert(readings);
        const leanQueries = new ReadingQueryService(lean);
        assert.deepEqual(
          await leanQueries.series('s-3', day, day + 2 * 3_600_000, 600_000, 'avg'),
          Array.from({ length: 12 }, (_, k) => ({ ts: day + k * 600_000, value: 10 * k + 4.5 })),
          'ten-minute steps from the raw readings',
        );
        for (const [from, to, counts] of [
          [day + 10 * 60_000 + 30_000, day + 2 * 3_600_000, [49, 60]],
          [day, day + 90 * 60_000 + 4, [60, 31]],
        ] as const) {
          assert.deepEqual(
            await leanQueries.series('s-3', from, to, 3_600_000, 'count'),
            counts.map((value, k) => ({ ts: day + k * 3_600_000, value })),
            'hour steps over a range of partial hours count only the readings inside it',
          );
        }
        assert.deepEqual(await leanQueries.series('s-3', day, day + 2 * 3_600_000, 3_600_000, 'max'), [
          { ts: day, value: 59 },
          { ts: day + 3_600_000, value: 119 },
        ]);
        const later = day + 2 * 86_400_000 + 1;
        assert.equal(
          await lean.applyRetention(later, { rawMillis: 86_400_000 }),
          0,
          'minute data kept forever',
        );
        assert.equal(
          await lean.applyRetention(later, { rawMillis: 86_400_000, minuteMillis: 3 * 86_400_000 }),
          0,
          'raw readings kept as long as minute data',
        );
        assert.equal(
          await lean.applyRetention(later, { rawMillis: 86_400_000, minuteMillis: 86_400_000 }),
          2400,
        );
      } finally {
        await lean.close();
      }

      // What `settle` asks: which queries are still running (a failed insert the server went on with).
      const client = createClient({ url: `http://127.0.0.1:${nodes[0]!.httpPort}` });
      try {
        const sleeping = client.query({ query: 'SELECT sleep(2)', query_id: 'ub-test-sleeping' });
        let seen: string[] = [];
        for (let tries = 0; tries < 40 && seen.length === 0; tries++) {
          seen = await runningQueries(client, ['ub-test-sleeping', 'ub-test-never-sent']);
          if (seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 25));
        }
        assert.deepEqual(seen, ['ub-test-sleeping']);
        await (await sleeping).text();
        assert.deepEqual(await runningQueries(client, ['ub-test-sleeping']), []);
      } finally {
        await client.close();
      }
      await store.settle();
    } finally {
      await store?.close();
      for (const server of servers) server.kill('SIGKILL');
      await rm(directory, { recursive: true, force: true });
    }
  },
);

/** A store whose one shard refuses connections. */
/** A store whose one shard is at `url`. */
function storeAt(url: string): ClickHouseReadings {
  return ClickHouseReadings.connect({
    shardUrls: [url],
    cluster: 'ub',
    database: 'ub_test',
    minuteRollup: false,
  });
}

/** A store whose one shard is a port nothing listens on (free a moment ago). */
async function unreachableStore(): Promise<ClickHouseReadings> {
  return storeAt(`http://127.0.0.1:${await freePort()}`);
}

/** A store whose one shard is the stand-in `server`, listening from now on; `close` ends both. */
async function storeOn(server: Server): Promise<{ store: ClickHouseReadings; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const store = storeAt(`http://127.0.0.1:${port}`);
  return {
    store,
    async close() {
      await store.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

test('an insert that failed is remembered: settle rejects while its shard does not answer', async () => {
  const store = await unreachableStore();
  try {
    await store.settle();
    await assert.rejects(store.insert([{ sensor: 's', ts: 1, value: 1 }]), /ECONNREFUSED/);
    await assert.rejects(store.settle(), /ECONNREFUSED/);
  } finally {
    await store.close();
  }
});

test('a shard that cannot be reached fails the call without the client printing anything', async () => {
  // Regression: the client's default logger printed a 16-line stack trace per failed request.
  const printed: unknown[][] = [];
  const original = { error: console.error, warn: console.warn };
  console.error = (...args: unknown[]) => void printed.push(args);
  console.warn = (...args: unknown[]) => void printed.push(args);
  const store = await unreachableStore();
  try {
    await assert.rejects(store.ping(), /ECONNREFUSED/);
  } finally {
    console.error = original.error;
    console.warn = original.warn;
    await store.close();
  }
  assert.deepEqual(printed, []);
});

test('each ping comes on a new connection, behind whatever the server has queued, not on a kept-alive one', async () => {
  const connections: Socket[] = [];
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"n":"1"}\n');
    });
  });
  server.on('connection', (socket: Socket) => connections.push(socket));
  const { store, close } = await storeOn(server);
  try {
    for (let ping = 0; ping < 3; ping++) await store.ping();
    assert.equal(connections.length, 3);
  } finally {
    await close();
  }
});

test('after a failed insert, settle revokes its query id on the shard before asking whether it runs', async () => {
  const seen: string[] = [];
  let failedId: string | null = null;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://stand-in');
      const sql = url.searchParams.get('query') ?? Buffer.concat(chunks).toString();
      if (sql.startsWith('INSERT INTO ub_test.readings_local')) {
        failedId = url.searchParams.get('query_id');
        seen.push('insert');
        response.writeHead(500).end('Code: 241, e.displayText() = DB::Exception: Memory limit exceeded');
        return;
      }
      if (sql.includes('revoked_inserts')) seen.push(`revoke ${sql.includes(`'${failedId}'`)}`);
      else if (sql.includes('system.processes')) seen.push(`running? ${sql.includes(`'${failedId}'`)}`);
      response.writeHead(200, { 'content-type': 'application/json' }).end('');
    });
  });
  const { store, close } = await storeOn(server);
  try {
    await assert.rejects(
      store.insert([{ sensor: 's', ts: 1, value: 1 }]),
      /refused the insert \(500\): .*Memory limit/,
    );
    await store.settle();
    assert.deepEqual(seen, ['insert', 'revoke true', 'running? true']);
    await store.settle();
    assert.equal(seen.length, 3, 'a settled insert is not revoked again');
  } finally {
    await close();
  }
});
