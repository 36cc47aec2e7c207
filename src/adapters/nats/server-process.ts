import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { delimiter, join } from 'node:path';
import { makeFolder } from '../files/folders.ts';

export interface NatsNode {
  name: string;
  clientPort: number;
  /** Route port for clustering; omit for a single server. */
  clusterPort?: number;
}

/** Server config of one JetStream server on loopback; with `peers`, a member of cluster `cluster`. */
export function natsConfig(
  directory: string,
  self: NatsNode,
  peers: readonly NatsNode[],
  cluster = 'urban-brain',
): string {
  const lines = [
    `server_name: ${self.name}`,
    `listen: 127.0.0.1:${self.clientPort}`,
    `log_file: "${join(directory, 'nats.log')}"`,
    `jetstream { store_dir: "${join(directory, 'jetstream')}", max_memory_store: 268435456, max_file_store: 68719476736 }`,
  ];
  if (self.clusterPort !== undefined && peers.length > 1) {
    const routes = peers
      .filter((peer) => peer.name !== self.name && peer.clusterPort !== undefined)
      .map((peer) => `nats-route://127.0.0.1:${peer.clusterPort}`);
    lines.push(
      `cluster { name: ${cluster}, listen: 127.0.0.1:${self.clusterPort}, routes: [${routes.join(', ')}] }`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The path of server program `name` (`nats-server`, `clickhouse-server`): on the PATH, or in the
 * sbin folders where Debian installs them (not on an ordinary user's PATH); null when absent.
 */
export function serverProgram(name: string, path = process.env.PATH ?? ''): string | null {
  const folders = [
    ...path.split(delimiter).filter((folder) => folder !== ''),
    '/usr/sbin',
    '/usr/local/sbin',
  ];
  for (const folder of folders) {
    try {
      accessSync(join(folder, name), constants.X_OK);
      return join(folder, name);
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * Resolves once `ready` does. Rejects at once if `child` could not be started (a missing program) or
 * exits first, and stops it if `ready` fails (a server that never answered is not left running).
 */
export async function untilReady(
  child: ChildProcess,
  ready: (signal: AbortSignal) => Promise<void>,
  what: string,
): Promise<void> {
  const waiting = new AbortController();
  let onExit: ((code: number | null, signal: NodeJS.Signals | null) => void) | undefined;
  let onError: ((error: Error) => void) | undefined;
  const failed = new Promise<never>((_, reject) => {
    onError = (error) => reject(new Error(`${what} could not be started: ${error.message}`));
    onExit = (code, signal) => reject(new Error(`${what} exited (${code ?? signal}) before it answered`));
    child.once('error', onError);
    child.once('exit', onExit);
  });
  try {
    const readiness = ready(waiting.signal);
    readiness.catch(() => undefined); // once `failed` wins, the abort below rejects it
    await Promise.race([readiness, failed]);
  } catch (error) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    throw error;
  } finally {
    waiting.abort();
    child.off('error', onError!);
    child.off('exit', onExit!);
  }
}

/** Writes the config and starts `nats-server`; resolves once the client port accepts connections. */
export async function startNatsServer(
  directory: string,
  self: NatsNode,
  peers: readonly NatsNode[] = [],
  binary = serverProgram('nats-server') ?? 'nats-server',
): Promise<ChildProcess> {
  makeFolder(directory);
  const config = join(directory, 'nats.conf');
  await writeFile(config, natsConfig(directory, self, peers));
  const child = spawn(binary, ['-c', config], { stdio: 'ignore' });
  await untilReady(
    child,
    (signal) => waitForPort(self.clientPort, 30_000, signal),
    `nats-server ${self.name} (log ${join(directory, 'nats.log')})`,
  );
  return child;
}

/** Resolves once 127.0.0.1:`port` accepts connections; rejects after `timeoutMillis` or once `signal` aborts. */
export async function waitForPort(port: number, timeoutMillis: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  for (;;) {
    signal?.throwIfAborted();
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`port ${port} did not open within ${timeoutMillis} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
