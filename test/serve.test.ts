import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { mosquittoMissing, startMosquitto } from '../src/adapters/mqtt/mosquitto.test-helpers.ts';
import { createEmbeddedStorage } from '../src/services/ingest/embedded.ts';
import { startServer } from './support/server-process.ts';

void test('SIGTERM stops the server with exit code 0 and every acknowledged reading is in the store', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'urban-brain-serve-'));
  try {
    const server = await startServer(dataDir);
    const headers = { Authorization: `Bearer ${server.adminKey}`, 'Content-Type': 'application/json' };
    assert.equal((await fetch(`${server.baseUrl}/healthz`)).status, 200);
    const t0 = Date.now() - 3_600_000;
    const batch = Array.from({ length: 1000 }, (_, i) => ({ sensor: `s${i % 10}`, ts: t0 + i, value: i }));
    const response = await fetch(`${server.baseUrl}/api/v1/readings`, {
      method: 'POST',
      headers,
      body: JSON.stringify(batch),
    });
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { accepted: number }).accepted, 1000);

    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0, server.log());
    assert.match(server.log(), /stopped cleanly/);

    const storage = await createEmbeddedStorage({ dataDir });
    try {
      assert.equal(
        storage.recovered.readings,
        0,
        'a clean shutdown leaves nothing to replay from the write-ahead log',
      );
      const latest = await storage.queries.latest(['s0', 's9']);
      assert.deepEqual(latest.get('s9'), { ts: t0 + 999, value: 999 });
      const series = await storage.queries.series('s3', t0, t0 + 1000, 1000, 'count');
      assert.equal(
        series.reduce((sum, point) => sum + point.value, 0),
        100,
      );
    } finally {
      await storage.shutdown();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

void test('SIGTERM to `npm run cli -- serve` reaches the server, which stops cleanly (as under a supervisor)', async () => {
  // Regression: npm forwarded the signal to the `sh -c` wrapper of the script only, leaving the
  // server running without its parent and holding the database's lock.
  const dataDir = mkdtempSync(join(tmpdir(), 'urban-brain-serve-'));
  const npm = spawn(
    'npm',
    ['run', '-s', 'cli', '--', 'serve', '--port', '0', '--mqtt-port', '0', '--data-dir', dataDir],
    {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: { ...process.env, URBAN_BRAIN_ADMIN_KEY: 'test-admin-key-0123456789abcdef' },
      stdio: ['ignore', 'ignore', 'pipe'],
      // A group of its own, so that whatever the signal misses is still ended below.
      detached: true,
    },
  );
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ready line in 30 s:\n${stderr}`)), 30_000);
      npm.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('listening on')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    npm.kill('SIGTERM');
    const deadline = Date.now() + 15_000;
    while (!stderr.includes('stopped cleanly') && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    assert.match(stderr, /SIGTERM: stopping/, 'the server received the signal');
    assert.match(stderr, /stopped cleanly/);
    await exited;
  } finally {
    try {
      process.kill(-npm.pid!, 'SIGKILL');
    } catch {
      // the group is gone already
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
});

void test('SIGTERM with busy keep-alive clients: nothing sent after it is acknowledged, all acknowledged is stored, exit is quick', async () => {
  // Regression: busy keep-alive clients got 200s for the whole grace period, then had their
  // requests cut when the connections were closed by force.
  const dataDir = mkdtempSync(join(tmpdir(), 'urban-brain-serve-'));
  try {
    const server = await startServer(dataDir);
    const headers = { Authorization: `Bearer ${server.adminKey}`, 'Content-Type': 'application/json' };
    let stoppingSeenAt = Infinity;
    server.child.stderr!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('SIGTERM: stopping'))
        stoppingSeenAt = Math.min(stoppingSeenAt, performance.now());
    });
    const t0 = Date.now() - 3_600_000;
    const acknowledged = new Map<string, number>();
    const late: string[] = [];
    const answers: { status: number; connection: string | null; retryAfter: string | null }[] = [];
    let refused = 0;
    const client = async (worker: number) => {
      for (let seq = 0; ; seq += 1) {
        const sensor = `busy-${worker}`;
        const batch = Array.from({ length: 100 }, (_, i) => ({ sensor, ts: t0 + seq * 100 + i, value: i }));
        const sentAt = performance.now();
        try {
          const response = await fetch(`${server.baseUrl}/api/v1/readings`, {
            method: 'POST',
            headers,
            body: JSON.stringify(batch),
          });
          await response.arrayBuffer();
          if (response.status === 200) acknowledged.set(sensor, (acknowledged.get(sensor) ?? 0) + 100);
          if (sentAt > stoppingSeenAt) {
            if (response.status === 200) late.push(`${sensor} #${seq}`);
            answers.push({
              status: response.status,
              connection: response.headers.get('connection'),
              retryAfter: response.headers.get('retry-after'),
            });
          }
        } catch (error) {
          if (stoppingSeenAt === Infinity) throw error;
          refused += 1; // the server stopped listening: this batch was never acknowledged
          if (refused > 50) return;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        if (performance.now() > stoppingSeenAt + 3_000) return;
      }
    };
    const clients = Promise.all(Array.from({ length: 4 }, (_, worker) => client(worker)));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const signalledAt = performance.now();
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0, server.log());
    const exitMillis = performance.now() - signalledAt;
    await clients;
    assert.ok(exitMillis < 5_000, `exit took ${exitMillis} ms of a 10 s grace period`);
    assert.deepEqual(late, [], 'requests sent after the server began stopping were acknowledged');
    for (const answer of answers) {
      assert.equal(answer.status, 503);
      assert.equal(answer.retryAfter, '5');
      assert.equal(answer.connection, 'close');
    }
    assert.ok(acknowledged.size === 4, 'every client had readings acknowledged before the signal');

    const storage = await createEmbeddedStorage({ dataDir, log: () => undefined });
    try {
      for (const [sensor, count] of acknowledged) {
        const series = await storage.queries.series(sensor, t0, t0 + 10_000_000, 10_000_000, 'count');
        const stored = series.reduce((sum, point) => sum + point.value, 0);
        assert.equal(stored, count, `${sensor}: every acknowledged reading is stored`);
      }
    } finally {
      await storage.shutdown();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

void test('a second SIGTERM ends a shutdown that waits for a request in flight, with exit code 1', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'urban-brain-serve-'));
  try {
    const server = await startServer(dataDir, ['--shutdown-timeout-millis', '60000']);
    // A request whose body never completes keeps the first shutdown waiting.
    const socket = connect(server.httpPort, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST /api/v1/readings HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${server.adminKey}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n[',
    );
    socket.on('error', () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 200));
    server.child.kill('SIGTERM');
    const early = await Promise.race([
      server.exited,
      new Promise((resolve) => setTimeout(() => resolve('running'), 500)),
    ]);
    assert.equal(early, 'running', 'the first signal waits for the request in flight');
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 1);
    assert.match(server.log(), /again: exiting without finishing/);
    socket.destroy();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

void test('bad flags exit with code 2 and name the flag, the value and the rule', async () => {
  const { spawnSync } = await import('node:child_process');
  const bin = new URL('../bin/urban-brain.js', import.meta.url).pathname;
  const result = spawnSync(
    process.execPath,
    [bin, 'serve', '--port', 'eighty', '--unknown-sensors', 'maybe'],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(result.status, 2);
  assert.match(result.stderr, /--port \(URBAN_BRAIN_PORT\) = "eighty"/);
  assert.match(result.stderr, /--unknown-sensors \(URBAN_BRAIN_UNKNOWN_SENSORS\) = "maybe"/);
});

/** Runs the CLI while something else holds `busy`; resolves with its exit code (null if it hung) and stderr. */
async function startOnBusyPort(
  args: (busy: number) => string[],
): Promise<{ status: number | null; stderr: string }> {
  const { spawn } = await import('node:child_process');
  const { createServer } = await import('node:net');
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const address = holder.address();
  const busy = typeof address === 'object' && address !== null ? address.port : 0;
  const bin = new URL('../bin/urban-brain.js', import.meta.url).pathname;
  const child = spawn(process.execPath, [bin, ...args(busy)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const status = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(null);
    }, 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  holder.close();
  return { status, stderr };
}

void test('a damaged detector snapshot ends serve with exit code 1 and says so, the file left as it was', async () => {
  // Regression: with the detectors on their own thread (the default) the start failed, said why,
  // and the process never exited: the scoring thread was left open.
  const dataDir = mkdtempSync(join(tmpdir(), 'urban-brain-serve-'));
  try {
    const server = await startServer(dataDir);
    const t0 = Date.now() - 3_600_000;
    const batch = Array.from({ length: 2000 }, (_, i) => ({
      sensor: `s${i % 20}`,
      ts: t0 + i * 1000,
      value: i % 7,
    }));
    const response = await fetch(`${server.baseUrl}/api/v1/readings`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.adminKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(batch),
    });
    assert.equal(response.status, 200);
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0, server.log());
    const file = join(dataDir, 'detector-states.snapshot');
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    writeFileSync(file, bytes);
    const result = await startOnBusyPort(() => [
      'serve',
      '--port',
      '0',
      '--mqtt-port',
      '0',
      '--data-dir',
      dataDir,
    ]);
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /could not start: detector states: .*move it away/);
    assert.deepEqual(readFileSync(file), bytes, 'the damaged snapshot is not written over');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

void test('a busy MQTT port ends serve with exit code 1 and one line, instead of a process left running', async () => {
  const httpPort = await (await import('./support/ports.ts')).freePort();
  const result = await startOnBusyPort((busy) => [
    'serve',
    '--demo',
    'off',
    '--memory',
    '--port',
    String(httpPort),
    '--mqtt-port',
    String(busy),
  ]);
  assert.equal(result.status, 1, result.stderr);
  assert.match(result.stderr, /could not start: listen EADDRINUSE/);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
});

void test('a busy HTTP port ends the demo with exit code 1 and one line, not a stack trace', async () => {
  const mqttPort = await (await import('./support/ports.ts')).freePort();
  const result = await startOnBusyPort((busy) => [
    'demo',
    '--sensors',
    '200',
    '--port',
    String(busy),
    '--mqtt-port',
    String(mqttPort),
  ]);
  assert.equal(result.status, 1, result.stderr);
  assert.match(result.stderr, /could not start: listen EADDRINUSE/);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
});

void test('URLs given to serve are logged without their passwords: the ready line, MQTT errors, usage errors', async (t) => {
  const { spawnSync } = await import('node:child_process');
  const bin = new URL('../bin/urban-brain.js', import.meta.url).pathname;
  const usage = spawnSync(
    process.execPath,
    [
      bin,
      'serve',
      '--nats-url',
      'nats://127.0.0.1:1',
      '--clickhouse-url',
      'http://127.0.0.1:1',
      '--postgres-url',
      'mysql://ubuser:S3cretDbPass@db/urban',
    ],
    { encoding: 'utf8' },
  );
  assert.equal(usage.status, 2);
  assert.match(
    usage.stderr,
    /--postgres-url \(URBAN_BRAIN_POSTGRES_URL\) = "mysql:\/\/ubuser:\*\*\*@db\/urban"/,
  );
  assert.doesNotMatch(usage.stderr, /S3cretDbPass/);

  const missing = mosquittoMissing();
  if (missing !== undefined) {
    t.skip(missing);
    return;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'urban-brain-serve-'));
  const { port: brokerPort, process: mosquitto } = await startMosquitto(dataDir);
  try {
    const url = `mqtt://ubuser:S3cretBrokerPass@127.0.0.1:${brokerPort}`;
    const server = await startServer(join(dataDir, 'data'), ['--demo', 'off', '--mqtt-url', url]);
    // Regression: "listening on …, mqtt mqtt://ubuser:S3cretBrokerPass@127.0.0.1:…".
    assert.match(server.log(), new RegExp(`mqtt mqtt://ubuser:\\*\\*\\*@127\\.0\\.0\\.1:${brokerPort}`));
    // The broker goes away: the subscriber logs the loss once (with the URL) and reconnects.
    mosquitto.kill('SIGKILL');
    const deadline = Date.now() + 10_000;
    while (!/MQTT broker .* failed: /.test(server.log()) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    server.child.kill('SIGTERM');
    await server.exited;
    assert.match(server.log(), /MQTT broker mqtt:\/\/ubuser:\*\*\*@.* failed: /);
    assert.doesNotMatch(server.log(), /S3cretBrokerPass/);
  } finally {
    mosquitto.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});

void test('--demo auto that cannot run the demo says why in one line; bug: it started without it silently', async () => {
  const { writeFileSync } = await import('node:fs');
  const dataDir = mkdtempSync(join(tmpdir(), 'urban-brain-demo-foreign-'));
  try {
    writeFileSync(join(dataDir, 'notes.txt'), 'not the demo');
    const foreign = await startServer(dataDir, ['--demo', 'auto']);
    foreign.child.kill('SIGTERM');
    await foreign.exited;
    assert.match(
      foreign.log(),
      /--demo auto: .* holds data the demo did not write; starting without the demo city/,
    );
    const memory = await startServer(join(dataDir, 'unused'), ['--demo', 'auto', '--memory']);
    memory.child.kill('SIGTERM');
    await memory.exited;
    assert.match(memory.log(), /--demo auto: no demo city with --memory/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
