import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { configUsage, loadConfig, type Config } from '../config.ts';
import { startPlatform } from '../main.ts';
import { clusterUsage, loadClusterConfig, type ClusterConfig } from '../services/cluster/cluster-config.ts';
import { startRole } from '../services/cluster/compose.ts';
import { defaultDemoOptions } from '../services/demo/runner.ts';
import { runDemo } from './demo.ts';
import { runUntilSignalled } from './signals.ts';

/** Marks a data folder that the demo city filled, so later starts run the demo again. */
const demoMarker = '.demo-city';

/** The demo runs on a fresh data folder, or one that only the demo has written to. */
function wantsDemo(config: Config): boolean {
  if (config.demo !== 'auto' || config.memory) return false;
  if (!existsSync(config.dataDir)) return true;
  const entries = readdirSync(config.dataDir);
  return entries.length === 0 || entries.includes(demoMarker);
}

function log(line: string): void {
  process.stderr.write(`urban-brain: ${line}\n`);
}

/**
 * `urban-brain serve`: runs the platform until SIGTERM or SIGINT, then stops accepting, flushes,
 * closes and exits 0. A second signal exits at once with code 1.
 */
export async function run(args: string[]): Promise<number> {
  const cluster = loadClusterConfig(args);
  if (!cluster.ok) {
    process.stderr.write(`urban-brain serve: ${cluster.message}\n\n${configUsage}\n${clusterUsage}`);
    return 2;
  }
  const loaded = loadConfig(cluster.rest);
  if (loaded.ok === 'help') {
    process.stdout.write(`${configUsage}\n${clusterUsage}`);
    return 0;
  }
  if (!loaded.ok) {
    process.stderr.write(`urban-brain serve: ${loaded.message}\n\n${configUsage}`);
    return 2;
  }
  const config = loaded.config;
  // A process-wide V8 setting, read at every full collection; NODE_OPTIONS does not accept it.
  if (config.heapGrowthPercent !== null)
    setFlagsFromString(`--heap-growing-percent=${config.heapGrowthPercent}`);
  // With the URL of a scale-out engine given, run one role of a cluster instead of the embedded default.
  if (cluster.config !== null) return serveRole(config, cluster.config);
  if (wantsDemo(config)) {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(
      join(config.dataDir, demoMarker),
      'Written by the demo city; delete the folder to start afresh.\n',
    );
    log(`${config.dataDir} is empty: starting the demo city (--demo off to start without it)`);
    return runDemo(config, defaultDemoOptions);
  }
  const platform = await started(() => startPlatform(config, log), log);
  if (platform === undefined) return 1;
  const storeName = config.memory ? 'memory (not durable)' : config.dataDir;
  const mqtt = platform.mqttPort === null ? `mqtt ${config.mqttUrl}` : `mqtt ${platform.mqttPort}`;
  log(`listening on http://${config.host}:${platform.httpPort}, ${mqtt}, data ${storeName}`);

  return runUntilSignalled(() => platform.stop(), log);
}

/** Starts the platform or a role; says why it could not, and shows a generated admin key once. */
async function started<T extends { generatedAdminKey: string | null }>(
  start: () => Promise<T>,
  log: (line: string) => void,
): Promise<T | undefined> {
  let running: T;
  try {
    running = await start();
  } catch (error) {
    log(`could not start: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
  if (running.generatedAdminKey !== null) {
    log(`generated the first admin key (shown only this once, store it now): ${running.generatedAdminKey}`);
  }
  return running;
}

/**
 * One scaled-out role until SIGTERM or SIGINT, then hands shards back, flushes and exits 0. A
 * shutdown that hangs on an engine that is gone exits 1 after the grace period and 20 s more.
 */
async function serveRole(config: Config, cluster: ClusterConfig): Promise<number> {
  // Several roles share a machine and a log: each line names its process.
  const roleLog = (line: string) => process.stderr.write(`urban-brain[${process.pid}]: ${line}\n`);
  const role = await started(() => startRole(config, cluster, roleLog), roleLog);
  if (role === undefined) return 1;
  roleLog(
    `role ${cluster.role} ready${role.httpPort === null ? '' : ` on http://${config.host}:${role.httpPort}`}`,
  );
  return runUntilSignalled(() => role.stop(), roleLog, config.shutdownTimeoutMillis + 20_000);
}
