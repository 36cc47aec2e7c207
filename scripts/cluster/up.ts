// `npm run cluster:up [-- --dir DIR --base-port N]`: starts the local cluster on loopback and returns,
// leaving it running (stop it with `npm run cluster:down`).
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
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LocalCluster } from './launcher.ts';
import { clusterPorts, liveClusterProcesses, portInUse } from './processes.ts';
import { localTopology } from './topology.ts';

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
    return fail(`${(error as Error).message} (usage: npm run cluster:up -- [--dir DIR] [--base-port N])`, 2);
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
for (const [name, port] of clusterPorts(topology))
  if (await portInUse(port))
    fail(
      `port ${port} (${name}) is in use on 127.0.0.1: choose another --base-port or stop what holds it`,
      1,
    );

await mkdir(directory, { recursive: true });
// The folder's admin key is reused: each run must not leave one more valid admin key behind.
const keyFile = join(directory, 'admin-key');
const existingKey = await readFile(keyFile, 'utf8').then(
  (text) => text.trim(),
  () => '',
);
const adminKey = existingKey === '' ? randomBytes(24).toString('base64url') : existingKey;
if (existingKey === '') await writeFile(keyFile, `${adminKey}\n`, { mode: 0o600 });
await writeFile(join(directory, 'topology.json'), JSON.stringify({ ...topology, basePort }, null, 2));
const cluster = new LocalCluster(topology, { adminKey, detached: true });
process.stderr.write('starting 3 NATS servers, 2 ClickHouse shards, PostgreSQL …\n');
try {
  await cluster.startEngines();
  for (const spec of cluster.defaultRoles()) cluster.startRole(spec);
  await cluster.waitForHttp(topology.api.port);
  for (const node of topology.ingest) await cluster.waitForHttp(node.port);
} catch (error) {
  await cluster.stopAll();
  await rm(join(directory, 'pids.json'), { force: true });
  fail(
    `could not start: ${error instanceof Error ? error.message : String(error)} ` +
      `(stopped what had started; logs in ${directory})`,
    1,
  );
}
process.stdout.write(
  `${JSON.stringify({ api: `http://127.0.0.1:${topology.api.port}`, ingest: topology.ingest.map((node) => `http://127.0.0.1:${node.port}`), adminKeyFile: keyFile, logs: directory })}\n`,
);
process.exit(0);
