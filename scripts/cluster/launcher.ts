import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { openSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { connect } from 'nats';
import { startClickHouseServer, waitForHttp } from '../../src/adapters/clickhouse/server-process.ts';
import { startNatsServer } from '../../src/adapters/nats/server-process.ts';
import { defaultLayout } from '../../src/adapters/nats/shards.ts';
import { openLeaseBucket } from '../../src/adapters/nats/shard-leases.ts';
import { defaultStreamOptions, ensureReadingStream } from '../../src/adapters/nats/stream.ts';
import { startPostgresServer, stopPostgresServer } from '../../src/adapters/postgres/server-process.ts';
import { engineFlags, pidFile } from './topology.ts';
import type { Topology } from './topology.ts';

const repository = resolve(import.meta.dirname, '../..');
/** Shard lease time of the local cluster (the processes' default). */
const leaseMillis = 10_000;
/**
 * V8 flags of processors: a young generation of up to 64 MB per half (default 16). A processor
 * holds each batch about a second (fetch, joined insert, scoring); in a small young generation
 * those readings outlive a few scavenges and are promoted, and the old generation's collections
 * then cost more per reading the less load a process has (measured: processing 3.47 → about 2.6
 * CPU-s per million readings with four processors, see docs/scale.md). And a first old-generation
 * limit of 256 MB (default a few MB): a processor meeting new sensors grows its heap, and each
 * step of that growth was a full collection (processing 2.82–3.05 → 2.13–2.30 with four processors).
 */
export const processorNodeFlags = ['--max-semi-space-size=64', '--initial-old-space-size=256'];

/**
 * The start helpers return once the port answers, which it also does when another server holds it;
 * ours then exits at once, unable to bind. Fails in that case.
 */
async function stillRunning(child: ChildProcess, name: string, port: number): Promise<void> {
  await new Promise((resolvePause) => setTimeout(resolvePause, 300));
  if (child.exitCode !== null || child.signalCode !== null)
    throw new Error(
      `${name} exited (${child.exitCode ?? child.signalCode}) as it started: another server holds port ${port}`,
    );
}

export interface RoleSpec {
  name: string;
  role: 'ingest' | 'process' | 'api';
  args: string[];
}

/** Starts, kills and restarts the processes of a local cluster; keeps their pids in `pids.json`. */
export class LocalCluster {
  readonly topology: Topology;
  readonly adminKey: string;
  readonly env: NodeJS.ProcessEnv;
  readonly children = new Map<string, ChildProcess>();
  readonly #specs = new Map<string, RoleSpec>();
  readonly #detached: boolean;
  /** Flags given to node before the script, e.g. `--cpu-prof` to profile every role. */
  readonly #nodeFlags: readonly string[];
  /** Flags given to node for `process` roles only, after `nodeFlags` (default `processorNodeFlags`). */
  readonly #processNodeFlags: readonly string[];
  readonly #pids = new Map<string, number>();
  /** Set by `stopAll`: nothing is started after it (a start interrupted half-way stays stopped). */
  #closed = false;

  constructor(
    topology: Topology,
    options: {
      adminKey: string;
      detached: boolean;
      env?: NodeJS.ProcessEnv;
      nodeFlags?: string[];
      processNodeFlags?: string[];
    },
  ) {
    this.topology = topology;
    this.#nodeFlags = options.nodeFlags ?? [];
    this.#processNodeFlags = options.processNodeFlags ?? processorNodeFlags;
    this.adminKey = options.adminKey;
    this.#detached = options.detached;
    this.env = { ...process.env, ...options.env, URBAN_BRAIN_ADMIN_KEY: options.adminKey };
  }

  /** Refuses to start anything once `stopAll` has begun. */
  #open(): void {
    if (this.#closed) throw new Error('the cluster is being stopped');
  }

  async startNats(index: number): Promise<void> {
    this.#open();
    const node = this.topology.nats[index]!;
    const child = await startNatsServer(join(this.topology.directory, node.name), node, this.topology.nats);
    this.children.set(node.name, child);
    this.#savePids();
    await stillRunning(child, node.name, node.clientPort);
  }

  async startClickHouse(index: number): Promise<void> {
    this.#open();
    const node = this.topology.clickhouse[index]!;
    const child = await startClickHouseServer(
      join(this.topology.directory, `clickhouse-${index + 1}`),
      node,
      'urban_brain',
      this.topology.clickhouse,
    );
    this.children.set(`clickhouse-${index + 1}`, child);
    this.#savePids();
    await stillRunning(child, `clickhouse-${index + 1}`, node.httpPort);
  }

  async startPostgres(): Promise<void> {
    this.#open();
    const child = await startPostgresServer(
      join(this.topology.directory, 'postgres'),
      this.topology.postgresPort,
    );
    this.children.set('postgres', child);
    this.#savePids();
  }

  /** Engines up, and the readings stream created once JetStream has a leader. */
  async startEngines(): Promise<void> {
    await mkdir(this.topology.directory, { recursive: true });
    await Promise.all(this.topology.nats.map((_, index) => this.startNats(index)));
    for (const index of this.topology.clickhouse.keys()) await this.startClickHouse(index);
    await this.startPostgres();
    await this.#createStream();
  }

  async #createStream(): Promise<void> {
    const connection = await connect({ servers: `127.0.0.1:${this.topology.nats[0]!.clientPort}` });
    try {
      const deadline = Date.now() + 60_000;
      for (;;) {
        try {
          const layout = { ...defaultLayout, shards: this.topology.shards };
          const replicas = this.topology.replicas;
          await ensureReadingStream(await connection.jetstreamManager({ timeout: 20_000 }), layout, {
            ...defaultStreamOptions,
            replicas,
          });
          const js = connection.jetstream({ timeout: 20_000 });
          await openLeaseBucket(js, 'urban_brain_leases', { leaseMillis, replicas });
          await js.views.os('urban_brain_snapshots', { replicas });
          return;
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await new Promise((resolvePause) => setTimeout(resolvePause, 500));
        }
      }
    } finally {
      await connection.close();
    }
  }

  /** The role processes of the topology: ingest, processors, API. */
  defaultRoles(): RoleSpec[] {
    const { ingest, processors, api } = this.topology;
    return [
      ...ingest.map((node) => ({
        name: node.name,
        role: 'ingest' as const,
        args: ['--port', String(node.port), '--mqtt-port', String(node.mqttPort)],
      })),
      ...processors.map((node) => ({
        name: node.name,
        role: 'process' as const,
        args: ['--member', node.name],
      })),
      { name: api.name, role: 'api' as const, args: ['--port', String(api.port)] },
    ];
  }

  startRole(spec: RoleSpec, extra: string[] = []): ChildProcess {
    this.#open();
    this.#specs.set(spec.name, { ...spec, args: [...spec.args, ...extra] });
    const log = openSync(join(this.topology.directory, `${spec.name}.log`), 'a');
    const child = spawn(
      process.execPath,
      [
        ...this.#nodeFlags,
        ...(spec.role === 'process' ? this.#processNodeFlags : []),
        '--import',
        'tsx',
        'scripts/cluster/role.ts',
        '--role',
        spec.role,
        ...engineFlags(this.topology),
        ...spec.args,
        ...extra,
      ],
      { cwd: repository, env: this.env, stdio: ['ignore', log, log], detached: this.#detached },
    );
    if (this.#detached) child.unref();
    this.children.set(spec.name, child);
    this.#savePids();
    return child;
  }

  /** Starts a role again with the flags it had. */
  restartRole(name: string): ChildProcess {
    const spec = this.#specs.get(name);
    if (spec === undefined) throw new Error(`no role named ${name}`);
    return this.startRole({ ...spec, args: [] }, spec.args);
  }

  /**
   * Waits until a processor holds the lease of every shard (until then the readings of a shard wait in
   * JetStream), at most `timeoutMillis`; resolves with the number of shards held.
   */
  async waitForShards(timeoutMillis: number): Promise<number> {
    const connection = await connect({ servers: `127.0.0.1:${this.topology.nats[0]!.clientPort}` });
    try {
      const kv = await connection.jetstream().views.kv('urban_brain_leases', { bindOnly: true });
      const deadline = Date.now() + timeoutMillis;
      for (;;) {
        const entries = await Promise.all(
          Array.from({ length: this.topology.shards }, (_, shard) =>
            kv.get(`shard.${shard}`).catch(() => null),
          ),
        );
        const held = entries.filter((entry) => entry !== null && entry.operation === 'PUT').length;
        if (held === this.topology.shards || Date.now() > deadline) return held;
        await new Promise((resolvePause) => setTimeout(resolvePause, 500));
      }
    } finally {
      await connection.close();
    }
  }

  async waitForHttp(port: number): Promise<void> {
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, 120_000);
  }

  /** Sends `signal` to a process started here; resolves once it exited. */
  async kill(name: string, signal: NodeJS.Signals): Promise<void> {
    const child = this.children.get(name);
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
    child.kill(signal);
    await exited;
    this.children.delete(name);
  }

  /** Stops our processes (SIGTERM), then the engines. */
  async stopAll(): Promise<void> {
    this.#closed = true;
    const ours = [...this.children.keys()].filter((name) => !/^(nats|clickhouse|postgres)/.test(name));
    await Promise.all(ours.map((name) => this.kill(name, 'SIGTERM')));
    const engines = [...this.children.keys()].filter((name) => name !== 'postgres');
    await Promise.all(engines.map((name) => this.kill(name, 'SIGTERM')));
    stopPostgresServer(join(this.topology.directory, 'postgres'));
    this.children.clear();
  }

  /** Every process started so far (killed ones too, for `cluster:down`), written at once. */
  #savePids(): void {
    for (const [name, child] of this.children) if (child.pid !== undefined) this.#pids.set(name, child.pid);
    writeFileSync(pidFile(this.topology), JSON.stringify(Object.fromEntries(this.#pids), null, 2));
  }
}
