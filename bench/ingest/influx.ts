import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { freePort, startProcess, waitForHttp } from './processes.ts';

export interface InfluxServer {
  child: ChildProcess;
  port: number;
  dataDir: string;
}

/** Path of `influxd`, or undefined when InfluxDB is not installed. */
export function influxdPath(): string | undefined {
  try {
    return execFileSync('which', ['influxd']).toString().trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts InfluxDB 1.x on loopback with a folder of its own (`root`/`name`, which must be new: a
 * folder used before would have it replay that run's log) and a database `bench`; its WAL fsyncs
 * every write.
 */
export async function startInflux(binary: string, root: string, name: string): Promise<InfluxServer> {
  const port = await freePort();
  const bindPort = await freePort();
  const dataDir = join(root, name);
  mkdirSync(dataDir, { recursive: true });
  const config = [
    'reporting-disabled = true',
    `bind-address = "127.0.0.1:${bindPort}"`,
    `[meta]\n  dir = "${dataDir}/meta"`,
    `[data]\n  dir = "${dataDir}/data"\n  wal-dir = "${dataDir}/wal"\n  wal-fsync-delay = "0s"\n  query-log-enabled = false\n  max-series-per-database = 0\n  max-values-per-tag = 0`,
    `[http]\n  bind-address = "127.0.0.1:${port}"\n  log-enabled = false\n  max-body-size = 0`,
    '[monitor]\n  store-enabled = false',
    '[continuous_queries]\n  enabled = false',
  ].join('\n');
  const configPath = join(root, `${name}.conf`);
  writeFileSync(configPath, config);
  const child = startProcess(binary, ['-config', configPath]);
  await waitForHttp(`http://127.0.0.1:${port}/ping`, 60_000);
  const created = await fetch(`http://127.0.0.1:${port}/query`, {
    method: 'POST',
    body: new URLSearchParams({ q: 'CREATE DATABASE bench' }),
  });
  await created.arrayBuffer();
  if (!created.ok) throw new Error(`InfluxDB refused CREATE DATABASE: ${created.status}`);
  return { child, port, dataDir };
}
