import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { serverProgram, startNatsServer, untilReady, waitForPort } from './server-process.ts';

test('a server program that is missing or exits at once fails the start at once, naming it', async () => {
  // Regression: a missing nats-server crashed the caller with an unhandled 'error' event, and one
  // that exited at once was waited for until the 30 s timeout.
  const directory = await mkdtemp(join(tmpdir(), 'ub-nats-start-'));
  try {
    const node = { name: 'n1', clientPort: 1 };
    const started = Date.now();
    await assert.rejects(
      startNatsServer(directory, node, [], join(directory, 'no-such-server')),
      /^Error: nats-server n1 \(log .*nats\.log\) could not be started: spawn .*no-such-server ENOENT$/,
    );
    await assert.rejects(
      startNatsServer(directory, node, [], process.execPath),
      /^Error: nats-server n1 \(log .*nats\.log\) exited \(\d+\) before it answered$/,
    );
    assert.ok(Date.now() - started < 5_000, `failed after ${Date.now() - started} ms`);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});

test('a server that never answers is stopped, not left running', async () => {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await assert.rejects(
    untilReady(child, (signal) => waitForPort(1, 300, signal), 'a silent server'),
    /port 1 did not open within 300 ms/,
  );
  assert.equal(await exited, null);
  assert.equal(child.signalCode, 'SIGKILL');
});

test('server programs are found in the sbin folders off an ordinary user PATH', () => {
  // Debian installs nats-server and clickhouse-server in /usr/sbin, which a user's PATH often lacks.
  const found = serverProgram('nats-server', '/nonexistent');
  if (found !== null) assert.match(found, /^\/usr(\/local)?\/sbin\/nats-server$/);
  assert.equal(serverProgram('no-such-server-program', '/nonexistent'), null);
});
