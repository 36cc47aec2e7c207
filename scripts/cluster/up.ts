// `npm run cluster:up [-- --dir DIR --base-port N]`: starts the local cluster on loopback and returns
// once the processors hold every shard, leaving it running (stop it with `npm run cluster:down`).
//
// Laid out on real machines, the same processes become (docs/scale.md sizes them):
//   3 NATS servers        nats-server -c nats.conf  (jetstream store_dir on local SSD; cluster routes to
//                          the two others; 3 hosts in 3 failure zones so replicas 3 survives one)
//   N ClickHouse shards   clickhouse-server with every shard in <remote_servers> (a replica per shard
//                          on a second host with ReplicatedMergeTree and ZooKeeper when needed)
//   PostgreSQL            one primary plus a streaming replica
//   ingest hosts          urban-brain serve --role ingest  --nats-url … --clickhouse-url … --postgres-url …
//                          behind a TCP/HTTP load balancer (and the MQTT port)
//   processing hosts      urban-brain serve --role process --member <host> (same URLs)
//   API hosts             urban-brain serve --role api (same URLs), behind the load balancer
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { serverProgram } from '../../src/adapters/nats/server-process.ts';
import { hasPostgres, postgresBin, stopPostgresServer } from '../../src/adapters/postgres/server-process.ts';
import { LocalCluster } from './launcher.ts';
import {
  clusterPorts,
  liveClusterProcesses,
  portInUse,
  stopProcesses,
  unlistedClusterProcesses,
} from './processes.ts';
import { localTopology } from './topology.ts';
import { argumentsProblem } from './arguments.ts';

function fail(line: string, code: number): never {
  process.stderr.write(`cluster:up: ${line}\n`);
  process.exit(code);
}

function options(): { dir: string; 'base-port': string } {
  try {
    return parseArgs({
      options: {
        dir: { type: 'string', default: '/tmp/urban-brain-cluster' },
        'base-port': { type: 'string', default: '20000' },
      },
    }).values;
  } catch (error) {
    return fail(`${argumentsProblem(error)} (usage: npm run cluster:up -- [--dir DIR] [--base-port N])`, 2);
  }
}
const values = options();
const basePort = Number(values['base-port']);
// The highest port is base + 901 (the second ClickHouse shard's native port).
if (!/^\d+$/.test(values['base-port']) || basePort < 1_024 || basePort > 64_000)
  fail(
    `--base-port ${values['base-port']}: must be an integer 1024…64000 (ports up to base + 901 are used)`,
    2,
  );
// Absolute, so that the processes' command lines name it (cluster:down checks them).
const topology = localTopology(resolve(values.dir), basePort);
const directory = topology.directory;

// Nothing is written before these checks: a second cluster:up must leave the running cluster whole.
const running = await liveClusterProcesses(directory);
if (running.length > 0)
  fail(
    `the cluster in ${directory} is running (${running.map(([name, pid]) => `${name} ${pid}`).join(', ')}); ` +
      `stop it first: npm run cluster:down -- --dir ${directory}`,
    1,
  );
const missing = [
  ...['nats-server', 'clickhouse-server'].filter((program) => serverProgram(program) === null),
  ...(hasPostgres() ? [] : [`${postgresBin}/postgres`]),
];
if (missing.length > 0)
  fail(
    `${missing.join(', ')} not found: install the Debian packages nats-server, clickhouse-server and postgresql-15`,
    1,
  );
for (const [name, port] of clusterPorts(topology))
  if (await portInUse(port))
    fail(
      `port ${port} (${name}) is in use on 127.0.0.1: choose another --base-port or stop what holds it`,
      1,
    );

/**
 * PostgreSQL runs as user postgres when we are root (it refuses root), so that user must be able to
 * enter the folder: not so under /root, or in a folder made by `mktemp -d` (mode 700).
 */
function closedToPostgres(folder: string): string | null {
  const runuser = serverProgram('runuser');
  if (process.getuid?.() !== 0 || runuser === null) return null;
  let existing = folder;
  while (!existsSync(existing)) existing = dirname(existing);
  try {
    execFileSync(runuser, ['-u', 'postgres', '--', 'test', '-x', existing], { stdio: 'ignore' });
    return null;
  } catch {
    return existing;
  }
}
const closed = closedToPostgres(directory);
if (closed !== null)
  fail(
    `--dir ${directory}: PostgreSQL runs as user postgres, which cannot enter ${closed} ` +
      '(a folder on the way is closed to other users): choose a folder such as /tmp/ub or /var/tmp/ub',
    1,
  );

const keyFile = join(directory, 'admin-key');
let adminKey: string;
try {
  await mkdir(directory, { recursive: true });
  // The folder's admin key is reused: each run must not leave one more valid admin key behind.
  const existingKey = await readFile(keyFile, 'utf8').then(
    (text) => text.trim(),
    () => '',
  );
  adminKey = existingKey === '' ? randomBytes(24).toString('base64url') : existingKey;
  if (existingKey === '') await writeFile(keyFile, `${adminKey}\n`, { mode: 0o600 });
  await writeFile(join(directory, 'topology.json'), JSON.stringify({ ...topology, basePort }, null, 2));
} catch (error) {
  fail(`--dir ${directory}: ${error instanceof Error ? error.message : String(error)}`, 1);
}
const cluster = new LocalCluster(topology, { adminKey, detached: true });

/** Stops every process of the cluster: those started here, and any it had not recorded yet. */
async function stopEverything(): Promise<void> {
  await cluster.stopAll();
  const natsUrl = `nats://127.0.0.1:${topology.nats[0]!.clientPort}`;
  await stopProcesses(unlistedClusterProcesses(directory, natsUrl, []).map(([, pid]) => pid));
  // A PostgreSQL still starting when stopAll ran is found by its data folder.
  stopPostgresServer(join(directory, 'postgres'));
  await rm(join(directory, 'pids.json'), { force: true });
}

// Interrupted (Ctrl-C, a supervisor's timeout): the roles run detached and the engines would outlive
// this process, so what had started is stopped, as after a failed start.
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`cluster:up: ${signal}: stopping what had started …\n`);
    void stopEverything().finally(() =>
      fail(
        `interrupted by ${signal} (stopped what had started; logs in ${directory})`,
        128 + constants.signals[signal],
      ),
    );
  });

process.stderr.write('starting 3 NATS servers, 2 ClickHouse shards, PostgreSQL …\n');
try {
  await cluster.startEngines();
  for (const spec of cluster.defaultRoles()) cluster.startRole(spec);
  await cluster.waitForHttp(topology.api.port);
  for (const node of topology.ingest) await cluster.waitForHttp(node.port);
  const held = await cluster.waitForShards(120_000);
  if (held < topology.shards)
    process.stderr.write(
      `cluster:up: the processors hold ${held} of ${topology.shards} shards after 2 minutes; the readings ` +
        `of the others wait in JetStream until they are taken (see ${directory}/processor-N.log)\n`,
    );
} catch (error) {
  if (stopping) await new Promise(() => undefined); // the signal's handler ends the process
  stopping = true;
  await stopEverything();
  fail(
    `could not start: ${error instanceof Error ? error.message : String(error)} ` +
      `(stopped what had started; logs in ${directory})`,
    1,
  );
}
if (stopping) await new Promise(() => undefined);
process.stdout.write(
  `${JSON.stringify({ api: `http://127.0.0.1:${topology.api.port}`, ingest: topology.ingest.map((node) => `http://127.0.0.1:${node.port}`), adminKeyFile: keyFile, logs: directory })}\n`,
);
process.exit(0);
