import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { connect } from 'nats';
import { isInstalled } from '../src/adapters/installed.ts';
import { startNatsServer, waitForPort } from '../src/adapters/nats/server-process.ts';
import { defaultLayout } from '../src/adapters/nats/shards.ts';
import { ensureReadingStream } from '../src/adapters/nats/stream.ts';

const bin = fileURLToPath(new URL('../bin/urban-brain.js', import.meta.url));
const skip = isInstalled('nats-server') ? false : 'nats-server is not installed (Debian package nats-server)';

interface Outcome {
  code: number | null;
  stderr: string;
  /** From the "could not start" line to the exit. */
  lingerMillis: number;
}

/** Runs `serve` with the scale-out flags given; kills it if it has not exited after 30 s. */
function serveRole(args: string[]): Promise<Outcome> {
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--mqtt-port', '0', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  let failedAt = 0;
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (failedAt === 0 && stderr.includes('could not start')) failedAt = Date.now();
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stderr, lingerMillis: failedAt === 0 ? Infinity : Date.now() - failedAt });
    }),
  );
}

function engines(natsPort: number): string[] {
  return [
    '--role',
    'ingest',
    '--nats-url',
    `nats://127.0.0.1:${natsPort}`,
    '--clickhouse-url',
    'http://127.0.0.1:1',
    '--postgres-url',
    // Nothing listens on port 1: the connection is refused.
    'postgres://urban:secret@127.0.0.1:1/urban',
  ];
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

void test(
  'a role that cannot start says why in one line and exits 1 at once (it hung on a NATS connection)',
  { skip, timeout: 120_000 },
  async () => {
    const directory = await mkdtemp(join(tmpdir(), 'ub-cluster-start-'));
    const server = await startNatsServer(directory, { name: 'n1', clientPort: 24262 });
    try {
      const refused = await serveRole(engines(24262));
      assert.equal(refused.code, 1, refused.stderr);
      assert.match(
        refused.stderr,
        /^urban-brain\[\d+\]: could not start: PostgreSQL at postgres:\/\/urban:\*\*\*@127\.0\.0\.1:1\/urban: connect ECONNREFUSED 127\.0\.0\.1:1\n$/,
      );
      // The safety net in bin/ would exit after 5 s: closing what was opened ends it at once.
      assert.ok(refused.lingerMillis < 3_000, `exited ${refused.lingerMillis} ms after the failure`);

      // A stream created with 16 shards: a process with --shards 32 would publish where no one reads.
      const connection = await connect({ servers: '127.0.0.1:24262' });
      try {
        assert.deepEqual(await ensureReadingStream(await connection.jetstreamManager(), defaultLayout), {
          ok: true,
        });
      } finally {
        await connection.close();
      }
      const mismatch = await serveRole([...engines(24262), '--shards', '32']);
      assert.equal(mismatch.code, 1, mismatch.stderr);
      assert.match(
        mismatch.stderr,
        /^urban-brain\[\d+\]: could not start: the readings stream UB_READINGS was created with 16 shards but this process was started with --shards 32: start every process of the cluster with --shards 16 \(the count is fixed for the life of the stream\)\n$/,
      );
    } finally {
      server.kill('SIGKILL');
      await rm(directory, { recursive: true, force: true });
    }
  },
);

void test(
  'a NATS server without JetStream is named as such, not "503"',
  { skip, timeout: 60_000 },
  async () => {
    const plain = spawn('nats-server', ['-a', '127.0.0.1', '-p', '24272'], { stdio: 'ignore' });
    try {
      await waitForPort(24272, 30_000);
      const outcome = await serveRole(engines(24272));
      assert.equal(outcome.code, 1, outcome.stderr);
      assert.match(
        outcome.stderr,
        /^urban-brain\[\d+\]: could not start: NATS at nats:\/\/127\.0\.0\.1:24272 has no JetStream enabled \(run nats-server with -js\)\n$/,
      );
    } finally {
      await stop(plain);
    }
  },
);

void test('--mqtt-url with a cluster role is refused as a usage error, not silently ignored', async () => {
  // Nothing is connected before the options are checked: no engine needs to run.
  const refused = await serveRole([...engines(1), '--mqtt-url', 'mqtt://127.0.0.1:1883']);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /--mqtt-url \(URBAN_BRAIN_MQTT_URL\) is for the embedded platform/);
});
