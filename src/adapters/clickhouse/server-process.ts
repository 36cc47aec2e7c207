import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serverProgram, untilReady } from '../nats/server-process.ts';
import { makeFolder } from '../files/folders.ts';

export interface ClickHouseNode {
  httpPort: number;
  tcpPort: number;
}

/** Server settings for one shard of a cluster named `cluster` whose shards are `nodes` (loopback). */
export function serverConfig(
  directory: string,
  self: ClickHouseNode,
  cluster: string,
  nodes: readonly ClickHouseNode[],
): string {
  const shards = nodes
    .map((node) => `<shard><replica><host>127.0.0.1</host><port>${node.tcpPort}</port></replica></shard>`)
    .join('');
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${directory}/server.log</log><errorlog>${directory}/error.log</errorlog><console>0</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${self.httpPort}</http_port>
  <tcp_port>${self.tcpPort}</tcp_port>
  <path>${directory}/data/</path>
  <tmp_path>${directory}/tmp/</tmp_path>
  <user_files_path>${directory}/user_files/</user_files_path>
  <format_schema_path>${directory}/format_schemas/</format_schema_path>
  <mark_cache_size>268435456</mark_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <remote_servers><${cluster}>${shards}</${cluster}></remote_servers>
</yandex>
`;
}

const users = `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage><max_threads>2</max_threads></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
`;

/** Writes the config into `directory` and starts `clickhouse-server` on loopback (for tests and the local cluster). */
export async function startClickHouseServer(
  directory: string,
  self: ClickHouseNode,
  cluster: string,
  nodes: readonly ClickHouseNode[],
  binary = serverProgram('clickhouse-server') ?? 'clickhouse-server',
): Promise<ChildProcess> {
  makeFolder(directory);
  await writeFile(join(directory, 'config.xml'), serverConfig(directory, self, cluster, nodes));
  await writeFile(join(directory, 'users.xml'), users);
  const child = spawn(binary, [`--config-file=${join(directory, 'config.xml')}`], { stdio: 'ignore' });
  await untilReady(
    child,
    (signal) => waitForHttp(`http://127.0.0.1:${self.httpPort}/ping`, 60_000, signal),
    `clickhouse-server on port ${self.httpPort} (log ${join(directory, 'error.log')})`,
  );
  return child;
}

/** Resolves once `url` answers 2xx; rejects after `timeoutMillis` or once `signal` aborts. */
export async function waitForHttp(url: string, timeoutMillis: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  for (;;) {
    signal?.throwIfAborted();
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMillis} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
