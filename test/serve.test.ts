import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
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
