import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { join } from 'node:path';

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

/** Writes the config and starts `nats-server`; resolves once the client port accepts connections. */
export async function startNatsServer(
  directory: string,
  self: NatsNode,
  peers: readonly NatsNode[] = [],
  binary = 'nats-server',
): Promise<ChildProcess> {
  await mkdir(directory, { recursive: true });
  const config = join(directory, 'nats.conf');
  await writeFile(config, natsConfig(directory, self, peers));
  const child = spawn(binary, ['-c', config], { stdio: 'ignore' });
  await waitForPort(self.clientPort, 30_000);
  return child;
}

export async function waitForPort(port: number, timeoutMillis: number): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  for (;;) {
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
