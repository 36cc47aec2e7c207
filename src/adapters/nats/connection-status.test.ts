import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, DebugEvents, Events } from 'nats';
import type { Status } from 'nats';
import { isInstalled } from '../installed.ts';
import { reportStatus, watchConnection } from './connection-status.ts';
import { startNatsServer } from './server-process.ts';

const skip = isInstalled('nats-server') ? false : 'nats-server is not installed (Debian package nats-server)';

test('status events of the NATS client become lost / reconnecting / restored / server error calls', () => {
  const calls: string[] = [];
  const listener = {
    lost: (server: string) => calls.push(`lost ${server}`),
    reconnecting: (server: string) => calls.push(`reconnecting ${server}`),
    restored: (server: string) => calls.push(`restored ${server}`),
    serverError: (message: string) => calls.push(`error ${message}`),
  };
  const events: Status[] = [
    { type: Events.Disconnect, data: '127.0.0.1:20222' },
    { type: DebugEvents.Reconnecting, data: '127.0.0.1:20223' },
    { type: DebugEvents.PingTimer, data: 1 },
    { type: Events.Reconnect, data: '127.0.0.1:20223' },
    { type: Events.Update, data: { added: [], deleted: [] } },
    { type: Events.Error, data: 'PERMISSIONS_VIOLATION' },
  ];
  for (const status of events) reportStatus(status, listener);
  assert.deepEqual(calls, [
    'lost 127.0.0.1:20222',
    'reconnecting 127.0.0.1:20223',
    'restored 127.0.0.1:20223',
    'error PERMISSIONS_VIOLATION',
  ]);
});

test(
  'a NATS server stopped and started again is heard as lost, then restored',
  { skip, timeout: 30_000 },
  async () => {
    const directory = await mkdtemp(join(tmpdir(), 'ub-nats-status-'));
    const node = { name: 'n1', clientPort: 24322 };
    let server: ChildProcess | undefined = await startNatsServer(directory, node);
    const connection = await connect({
      servers: `127.0.0.1:${node.clientPort}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 100,
    });
    const calls: string[] = [];
    let restored: () => void = () => undefined;
    const back = new Promise<void>((resolve) => (restored = resolve));
    const watching = watchConnection(connection, {
      lost: (at) => calls.push(`lost ${at}`),
      reconnecting: () => undefined,
      restored: (at) => {
        calls.push(`restored ${at}`);
        restored();
      },
      serverError: (message) => calls.push(`error ${message}`),
    });
    try {
      const exited = new Promise((resolve) => server!.once('exit', resolve));
      server.kill('SIGKILL');
      await exited;
      server = await startNatsServer(directory, node);
      await back;
      assert.deepEqual(calls, [`lost 127.0.0.1:${node.clientPort}`, `restored 127.0.0.1:${node.clientPort}`]);
    } finally {
      await connection.close();
      await watching;
      server?.kill('SIGTERM');
      await rm(directory, { recursive: true, force: true });
    }
  },
);
