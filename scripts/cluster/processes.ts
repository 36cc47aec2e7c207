import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Topology } from './topology.ts';

/** The command line of process `pid`, or null when there is no such process (or it cannot be read). */
function commandLine(pid: number): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .filter((part) => part.length > 0);
  } catch {
    return null;
  }
}

/**
 * Whether `pid` still runs a process of the cluster in `directory` named `name` in its pids.json:
 * an engine started with its configuration in that folder (NATS `-c DIR/nats-1/…`, ClickHouse
 * `--config-file=DIR/clickhouse-1/…`, PostgreSQL `-D DIR/postgres/data`), or one of our roles
 * (`scripts/cluster/role.ts` with the cluster's NATS URL, `natsUrl`). After a reboot a pid of the
 * list may belong to anything else: it is then not ours to signal.
 */
export function isClusterProcess(pid: number, name: string, directory: string, natsUrl?: string): boolean {
  const parts = commandLine(pid);
  if (parts === null) return false;
  const folder = join(directory, '/');
  if (/^(nats|clickhouse|postgres)/.test(name)) return parts.some((part) => part.includes(folder));
  return (
    parts.some((part) => part.endsWith('scripts/cluster/role.ts')) &&
    (natsUrl === undefined || parts.some((part) => part.includes(natsUrl)))
  );
}

export type ClusterPids = Record<string, number>;

/** The pids.json of the cluster in `directory`, or null when it has none (or it is not readable). */
export async function readPids(directory: string): Promise<ClusterPids | null> {
  try {
    return JSON.parse(await readFile(join(directory, 'pids.json'), 'utf8')) as ClusterPids;
  } catch {
    return null;
  }
}

/** The NATS URL every role of the cluster in `directory` was given (from its topology.json). */
export async function clusterNatsUrl(directory: string): Promise<string | undefined> {
  try {
    const topology = JSON.parse(await readFile(join(directory, 'topology.json'), 'utf8')) as Topology;
    const first = topology.nats[0];
    return first === undefined ? undefined : `nats://127.0.0.1:${first.clientPort}`;
  } catch {
    return undefined;
  }
}

/** The names in pids.json whose process still runs as part of the cluster in `directory`. */
export async function liveClusterProcesses(directory: string): Promise<[string, number][]> {
  const pids = (await readPids(directory)) ?? {};
  const natsUrl = await clusterNatsUrl(directory);
  return Object.entries(pids).filter(([name, pid]) => isClusterProcess(pid, name, directory, natsUrl));
}

/** Every port the local cluster listens on, with the process that would take it. */
export function clusterPorts(topology: Topology): [string, number][] {
  return [
    ...topology.nats.flatMap((node): [string, number][] => [
      [node.name, node.clientPort],
      [`${node.name} (routes)`, node.clusterPort],
    ]),
    ...topology.clickhouse.flatMap((node, index): [string, number][] => [
      [`clickhouse-${index + 1}`, node.httpPort],
      [`clickhouse-${index + 1} (native)`, node.tcpPort],
    ]),
    ['postgres', topology.postgresPort],
    ...topology.ingest.flatMap((node): [string, number][] => [
      [node.name, node.port],
      [`${node.name} (MQTT)`, node.mqttPort],
    ]),
    [topology.api.name, topology.api.port],
  ];
}

/** Whether something already listens on 127.0.0.1:`port` (so a server of ours could not). */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(true));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });
}
