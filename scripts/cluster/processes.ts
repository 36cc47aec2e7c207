import { readFileSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { basename, isAbsolute, join, relative } from 'node:path';
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

/** Whether `pid` runs: it exists and is not a zombie (an exited process not yet reaped has no command line). */
export function isRunning(pid: number): boolean {
  const parts = commandLine(pid);
  return parts !== null && parts.length > 0;
}

/**
 * The name a process of the cluster in `directory` goes by, told from its whole command line, or
 * undefined: `nats-server -c DIR/nats-N/nats.conf`, `clickhouse-server --config-file=DIR/clickhouse-N/config.xml`
 * and, given the cluster's NATS URL, `scripts/cluster/role.ts --role R` with that URL (named by its
 * `--member`, as pids.json names processors, else by its role: `ingest`, `api`). Strict, since
 * it looks at every process of the machine (PostgreSQL is found by its data folder, with pg_ctl).
 */
export function clusterProcessName(
  parts: readonly string[],
  directory: string,
  natsUrl?: string,
): string | undefined {
  const program = basename(parts[0] ?? '');
  /** The engine folder `DIR/<name>/<file>` names, or undefined. */
  const engineFolder = (path: string, file: string): string | undefined => {
    const match = /^([\w-]+)\/([\w.]+)$/.exec(relative(directory, path));
    return match !== null && match[2] === file && isAbsolute(path) ? match[1] : undefined;
  };
  if (program === 'nats-server')
    return parts.map((part) => engineFolder(part, 'nats.conf')).find((name) => name !== undefined);
  if (program === 'clickhouse-server' || program === 'clickhouse')
    return parts
      .filter((part) => part.startsWith('--config-file='))
      .map((part) => engineFolder(part.slice('--config-file='.length), 'config.xml'))
      .find((name) => name !== undefined);
  if (natsUrl === undefined || !isRole(parts)) return undefined;
  if (!parts.some((part) => part.includes(natsUrl))) return undefined;
  const flag = (name: string): string | undefined => {
    const at = parts.indexOf(name);
    return at >= 0 ? parts[at + 1] : undefined;
  };
  return flag('--member') ?? flag('--role') ?? 'role';
}

/** Whether a command line runs one of our roles (not an engine). */
function isRole(parts: readonly string[]): boolean {
  return parts.some((part) => part.endsWith('scripts/cluster/role.ts'));
}

/** A process of the cluster that pids.json does not list: its name, pid, and whether it is one of our roles. */
export type UnlistedProcess = [name: string, pid: number, kind: 'role' | 'engine'];

/**
 * Processes of the cluster in `directory` whose pid is not among `listed` (its pids.json): an engine
 * started again by hand after a crash, or one a `cluster:up` stopped half-way had not recorded yet.
 */
export function unlistedClusterProcesses(
  directory: string,
  natsUrl: string | undefined,
  listed: readonly number[],
): UnlistedProcess[] {
  const found: UnlistedProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid || listed.includes(pid)) continue;
    const parts = commandLine(pid);
    const name = parts === null ? undefined : clusterProcessName(parts, directory, natsUrl);
    if (name !== undefined) found.push([name, pid, isRole(parts!) ? 'role' : 'engine']);
  }
  return found;
}

/** Sends SIGTERM to each of `pids`, waits up to `graceMillis` for them to end, then SIGKILLs the rest. */
export async function stopProcesses(pids: readonly number[], graceMillis = 20_000): Promise<void> {
  const signal = (pid: number, kind: NodeJS.Signals): void => {
    try {
      if (isRunning(pid)) process.kill(pid, kind);
    } catch {
      // gone meanwhile
    }
  };
  for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMillis;
  while (pids.some(isRunning) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 200));
  for (const pid of pids) signal(pid, 'SIGKILL');
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
