import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { connectAsync } from 'mqtt';
import { startServer } from './support/server-process.ts';

const workers = 3;
const sensorsPerWorker = 10;
const batchReadings = 500;
/** Stream at least this long and until this many readings were acknowledged (at most `maxStreamMillis`). */
const streamMillis = 1500;
const minimumAcknowledged = 5000;
const maxStreamMillis = 20_000;

/** Acknowledged timestamps per sensor. */
type Acked = Map<string, number[]>;

function record(acked: Acked, sensor: string, ts: number): void {
  const list = acked.get(sensor) ?? [];
  list.push(ts);
  acked.set(sensor, list);
}

async function httpWorker(
  baseUrl: string,
  key: string,
  worker: number,
  base: number,
  acked: Acked,
  stop: () => boolean,
) {
  for (let seq = 0; !stop(); seq += batchReadings) {
    const batch = Array.from({ length: batchReadings }, (_, i) => ({
      sensor: `crash-${worker}-${(seq + i) % sensorsPerWorker}`,
      ts: base + seq + i,
      value: seq + i,
    }));
    try {
      const response = await fetch(`${baseUrl}/api/v1/readings`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(batch),
      });
      if (response.status !== 200) continue;
      await response.arrayBuffer();
      for (const reading of batch) record(acked, reading.sensor, reading.ts);
    } catch {
      return; // the server is gone: this batch was never acknowledged
    }
  }
}

async function mqttWorker(
  port: number,
  key: string,
  base: number,
  acked: Acked,
  stop: () => boolean,
  stopped: Promise<void>,
) {
  const client = await connectAsync(`mqtt://127.0.0.1:${port}`, {
    username: 'device',
    password: key,
    reconnectPeriod: 0,
  });
  client.on('error', () => undefined);
  const inFlight = new Set<Promise<void>>();
  for (let seq = 0; !stop() && client.connected; seq += 1) {
    const ts = base + seq;
    const sent = client
      .publishAsync('city/crash-mqtt/telemetry', JSON.stringify({ ts, value: seq }), { qos: 1 })
      .then(() => record(acked, 'crash-mqtt', ts))
      .catch(() => undefined)
      .finally(() => inFlight.delete(sent));
    inFlight.add(sent);
    // Publishes still in flight at the kill never settle; the stop signal ends the wait.
    if (inFlight.size >= 50) await Promise.race([...inFlight, stopped]);
  }
  client.end(true);
}

void test('kill -9 mid-stream: after restart every acknowledged reading is present exactly once', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'urban-brain-crash-'));
  try {
    const server = await startServer(dataDir);
    const base = Date.now() - 86_400_000;
    const acked: Acked = new Map();
    let killed = false;
    const stop = () => killed;
    let signalStop = () => undefined as void;
    const stopped = new Promise<void>((resolve) => (signalStop = resolve));
    const streams = [
      ...Array.from({ length: workers }, (_, w) =>
        httpWorker(server.baseUrl, server.adminKey, w, base, acked, stop),
      ),
      mqttWorker(server.mqttPort, server.adminKey, base, acked, stop, stopped),
    ];
    const countAcked = () => [...acked.values()].reduce((sum, list) => sum + list.length, 0);
    const started = Date.now();
    while (
      Date.now() - started < streamMillis ||
      (countAcked() < minimumAcknowledged && Date.now() - started < maxStreamMillis)
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    server.child.kill('SIGKILL');
    killed = true;
    signalStop();
    assert.equal(await server.exited, 'SIGKILL');
    await Promise.all(streams);
    const total = [...acked.values()].reduce((sum, list) => sum + list.length, 0);
    assert.ok(
      total > 1000,
      `the stream acknowledged ${total} readings before the kill; too few to test anything`,
    );

    const restarted = await startServer(dataDir);
    try {
      for (const [sensor, list] of acked) {
        // One-millisecond buckets, asked in windows the API allows (at most 100,000 points each).
        const end = list.reduce((latest, ts) => Math.max(latest, ts), base) + 1;
        const points: { ts: number; value: number }[] = [];
        for (let from = base; from < end; from += 100_000) {
          const to = Math.min(end, from + 100_000);
          const url = `${restarted.baseUrl}/api/v1/sensors/${sensor}/readings?from=${from}&to=${to}&step=1&agg=count`;
          const response = await fetch(url, { headers: { Authorization: `Bearer ${restarted.adminKey}` } });
          assert.equal(response.status, 200, await response.clone().text());
          points.push(...((await response.json()) as { points: { ts: number; value: number }[] }).points);
        }
        const registered = await fetch(`${restarted.baseUrl}/api/v1/sensors/${sensor}`, {
          headers: { Authorization: `Bearer ${restarted.adminKey}` },
        });
        assert.equal(
          registered.status,
          200,
          `${sensor}: acknowledged readings, but the sensor is not registered`,
        );
        await registered.arrayBuffer();
        const duplicated = points.filter((p) => p.value !== 1);
        assert.deepEqual(duplicated, [], `${sensor}: readings stored more than once`);
        const present = new Set(points.map((p) => p.ts));
        const missing = list.filter((ts) => !present.has(ts));
        assert.deepEqual(missing.slice(0, 10), [], `${sensor}: ${missing.length} acknowledged readings lost`);
      }
      const replayed = /recovered (\d+) readings/.exec(restarted.log())?.[1] ?? '0';
      const summary = `${total} acknowledged readings over ${acked.size} sensors survived kill -9`;
      process.stderr.write(`crash test: ${summary} (${replayed} replayed from the write-ahead log)\n`);
    } finally {
      restarted.child.kill('SIGTERM');
      await restarted.exited;
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

void test('a sensor whose readings were acknowledged just before kill -9 is registered after restart', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'urban-brain-crash-'));
  try {
    const server = await startServer(dataDir);
    const sensor = `crash-new-${Date.now()}`;
    const response = await fetch(`${server.baseUrl}/api/v1/readings`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.adminKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify([{ sensor, ts: Date.now() - 1000, value: 1 }]),
    });
    assert.equal(response.status, 200);
    // New sensors are saved to the registry a moment after the acknowledgement: kill before that.
    server.child.kill('SIGKILL');
    assert.equal(await server.exited, 'SIGKILL');
    const restarted = await startServer(dataDir);
    try {
      const registered = await fetch(`${restarted.baseUrl}/api/v1/sensors/${sensor}`, {
        headers: { Authorization: `Bearer ${restarted.adminKey}` },
      });
      assert.equal(registered.status, 200, await registered.clone().text());
      assert.match(restarted.log(), /registered 1 sensors of recovered readings/);
    } finally {
      restarted.child.kill('SIGTERM');
      await restarted.exited;
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

/** Mounts a tmpfs of `megabytes` at a new folder; undefined when mounting is not allowed here. */
async function mountTmpfs(megabytes: number): Promise<string | undefined> {
  const { spawnSync } = await import('node:child_process');
  const mountPoint = mkdtempSync(join(tmpdir(), 'urban-brain-full-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m`, 'tmpfs', mountPoint]);
  if (mounted.status === 0) return mountPoint;
  rmSync(mountPoint, { recursive: true, force: true });
  return undefined;
}

void test('a full disk: nothing half-written is acknowledged, ingest answers 507 until space is back, and every acknowledged reading survives kill -9', async (t) => {
  // Regression: a write cut short by the full disk was acknowledged, and everything acknowledged
  // after space came back sat behind the cut record and was dropped at the next start.
  const mountPoint = await mountTmpfs(96);
  if (mountPoint === undefined) {
    t.skip('mounting a tmpfs is not allowed here');
    return;
  }
  const { spawnSync } = await import('node:child_process');
  const { closeSync, ftruncateSync, openSync, writeSync } = await import('node:fs');
  const { createEmbeddedStorage } = await import('../src/services/ingest/embedded.ts');
  let started: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    const dataDir = join(mountPoint, 'data');
    const server = await startServer(dataDir, ['--detector', 'none']);
    started = server;
    const headers = { Authorization: `Bearer ${server.adminKey}`, 'Content-Type': 'application/json' };
    const base = Date.now() - 86_400_000;
    const acknowledged = new Map<string, number>();
    let seq = 0;
    const send = async (sensor: string, count: number) => {
      const batch = Array.from({ length: count }, (_, i) => ({ sensor, ts: base + seq + i, value: i }));
      seq += count;
      const response = await fetch(`${server.baseUrl}/api/v1/readings`, {
        method: 'POST',
        headers,
        body: JSON.stringify(batch),
      });
      const body = await response.text();
      if (response.status === 200) acknowledged.set(sensor, (acknowledged.get(sensor) ?? 0) + count);
      return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
    };
    const health = async () => (await fetch(`${server.baseUrl}/healthz`)).status;

    assert.equal((await send('before', 5000)).status, 200);
    // Leave 8 KiB: the next batch (about 100 KiB in the log) is cut short by the full disk. The
    // filler takes all the space, then gives 8 KiB back: measuring the free space first raced the
    // server's own writes (its store flushing the batch above), and the filler met ENOSPC itself.
    const filler = openSync(join(mountPoint, 'filler'), 'w');
    const chunk = Buffer.alloc(64 * 1024);
    let filled = 0;
    for (;;) {
      try {
        filled += writeSync(filler, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        break;
      }
    }
    ftruncateSync(filler, Math.max(0, filled - 8192));
    closeSync(filler);
    const full = await send('during', 5000);
    assert.equal(full.status, 507, full.body);
    assert.equal(full.retryAfter, '5');
    assert.match(full.body, /write-ahead log cannot be written \(ENOSPC/);
    assert.equal(await health(), 503, '/healthz reports the outage');
    assert.equal((await fetch(`${server.baseUrl}/livez`)).status, 200, '/livez: the process is alive');
    assert.equal((await send('during', 10)).status, 507, 'refused while the log cannot be written');
    const metrics = await (
      await fetch(`${server.baseUrl}/metrics`, { headers: { Authorization: `Bearer ${server.adminKey}` } })
    ).text();
    assert.match(metrics, /urban_brain_wal_write_failures_total [1-9]/);
    assert.match(metrics, /urban_brain_wal_writable 0/);

    rmSync(join(mountPoint, 'filler'));
    let after = await send('during', 5000);
    for (let tries = 0; after.status !== 200 && tries < 20; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      after = await send('during', 5000);
    }
    assert.equal(after.status, 200, after.body);
    assert.equal(await health(), 200);
    assert.equal((await send('after', 5000)).status, 200);
    const outage = server.log().match(/write-ahead log write (failed|works again)/g) ?? [];
    assert.deepEqual(outage, ['write-ahead log write failed', 'write-ahead log write works again']);
    server.child.kill('SIGKILL');
    assert.equal(await server.exited, 'SIGKILL');

    const storage = await createEmbeddedStorage({ dataDir, log: () => undefined });
    try {
      assert.equal(storage.recovered.tornBytes, 0, 'no cut record was left in the log');
      for (const [sensor, count] of acknowledged) {
        const series = await storage.queries.series(sensor, base, base + seq, seq, 'count');
        const stored = series.reduce((sum, point) => sum + point.value, 0);
        assert.ok(stored >= count, `${sensor}: ${count} readings acknowledged, ${stored} stored`);
      }
    } finally {
      await storage.shutdown();
    }
  } finally {
    // A failed assertion leaves the server holding files on the tmpfs: stopped first, so that the
    // unmount works and the failure, not a busy mount, is what the test reports.
    if (started !== undefined && started.child.exitCode === null && started.child.signalCode === null) {
      started.child.kill('SIGKILL');
      await started.exited;
    }
    if (spawnSync('umount', [mountPoint]).status === 0) rmSync(mountPoint, { recursive: true, force: true });
  }
});
