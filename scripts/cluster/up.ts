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
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LocalCluster } from './launcher.ts';
import { localTopology } from './topology.ts';

const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: '/tmp/urban-brain-cluster' },
    'base-port': { type: 'string', default: '20000' },
  },
});
const topology = localTopology(values.dir, Number(values['base-port']));
await mkdir(topology.directory, { recursive: true });
const adminKey = randomBytes(24).toString('base64url');
await writeFile(join(topology.directory, 'admin-key'), `${adminKey}\n`, { mode: 0o600 });
await writeFile(
  join(topology.directory, 'topology.json'),
  JSON.stringify({ ...topology, basePort: Number(values['base-port']) }, null, 2),
);
const cluster = new LocalCluster(topology, { adminKey, detached: true });
process.stderr.write('starting 3 NATS servers, 2 ClickHouse shards, PostgreSQL …\n');
await cluster.startEngines();
for (const spec of cluster.defaultRoles()) cluster.startRole(spec);
await cluster.waitForHttp(topology.api.port);
for (const node of topology.ingest) await cluster.waitForHttp(node.port);
process.stdout.write(
  `${JSON.stringify({ api: `http://127.0.0.1:${topology.api.port}`, ingest: topology.ingest.map((node) => `http://127.0.0.1:${node.port}`), adminKeyFile: join(topology.directory, 'admin-key'), logs: topology.directory })}\n`,
);
process.exit(0);
