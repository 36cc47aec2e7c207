import { join } from 'node:path';

/**
 * The local cluster: every process on 127.0.0.1, ports counted from `basePort`. On real machines the
 * same roles sit on separate hosts (see docs/scale.md): each line below names what would be one
 * machine (or a group of them) and the flags it is started with.
 */
export interface Topology {
  directory: string;
  nats: { name: string; clientPort: number; clusterPort: number }[];
  clickhouse: { httpPort: number; tcpPort: number }[];
  postgresPort: number;
  ingest: { name: string; port: number; mqttPort: number }[];
  processors: { name: string }[];
  api: { name: string; port: number };
  shards: number;
  replicas: number;
}

export function localTopology(directory: string, basePort = 20_000, processors = 2): Topology {
  return {
    directory,
    nats: [0, 1, 2].map((index) => ({
      name: `nats-${index + 1}`,
      clientPort: basePort + 222 + index,
      clusterPort: basePort + 322 + index,
    })),
    clickhouse: [0, 1].map((index) => ({
      httpPort: basePort + 123 + index,
      tcpPort: basePort + 900 + index,
    })),
    postgresPort: basePort + 432,
    ingest: [0, 1].map((index) => ({
      name: `ingest-${index + 1}`,
      port: basePort + 81 + index,
      mqttPort: basePort + 883 + index,
    })),
    processors: Array.from({ length: processors }, (_, index) => ({ name: `processor-${index + 1}` })),
    api: { name: 'api-1', port: basePort + 80 },
    shards: 16,
    replicas: 3,
  };
}

/** Flags every process of ours is given to find the engines. */
export function engineFlags(topology: Topology): string[] {
  return [
    '--nats-url',
    topology.nats.map((node) => `nats://127.0.0.1:${node.clientPort}`).join(','),
    '--clickhouse-url',
    topology.clickhouse.map((node) => `http://127.0.0.1:${node.httpPort}`).join(','),
    '--postgres-url',
    `postgres://postgres@127.0.0.1:${topology.postgresPort}/postgres`,
    '--shards',
    String(topology.shards),
    '--replicas',
    String(topology.replicas),
  ];
}

export function pidFile(topology: Topology): string {
  return join(topology.directory, 'pids.json');
}
