import { configSources, configUsage, loadConfig, type Config } from '../config.ts';
import { redactUrls } from '../core/redact.ts';
import { startPlatform } from '../main.ts';
import { clusterUsage, loadClusterConfig, type ClusterConfig } from '../services/cluster/cluster-config.ts';
import { startRole } from '../services/cluster/compose.ts';
import { defaultDemoOptions } from '../services/demo/runner.ts';
import { readDemoFolder, type DemoFolder } from './demo-marker.ts';
import { runDemoInFolder } from './demo.ts';
import { dataDirProblem } from './data-dir.ts';
import { applyHeapGrowth } from './heap-growth.ts';
import { runUntilSignalled } from './signals.ts';
import { describeError } from '../core/describe-error.ts';

/** The demo runs on a fresh data folder, or one that only the demo has written to; else says why not. */
function demoFolder(config: Config): DemoFolder | null {
  if (config.demo !== 'auto') return null;
  if (config.memory) {
    log('--demo auto: no demo city with --memory (it needs a data folder); starting without it');
    return null;
  }
  const folder = readDemoFolder(config.dataDir);
  if (folder.kind !== 'foreign') return folder;
  log(`--demo auto: ${config.dataDir} holds data the demo did not write; starting without the demo city`);
  return null;
}

/** Settings of the embedded platform alone: flag, and variable (null: a flag only). */
const embeddedOnly: readonly (readonly [string, string | null])[] = [
  ...(
    [
      'demo',
      'dataDir',
      'storeMemoryMegabytes',
      'detectorMemoryMegabytes',
      'detectorSnapshotMillis',
      'backupKeep',
      'detectionThread',
      'mqttSessionExpiryHours',
    ] as const
  ).map((key) => configSources[key]),
  ['memory', null],
  ['wal-skip-corrupt', null],
];

/** Lines go to stderr with the credentials of any URL in them hidden (`--mqtt-url`, `--postgres-url` …). */
function log(line: string): void {
  process.stderr.write(`urban-brain: ${redactUrls(line)}\n`);
}

/**
 * `urban-brain serve`: runs the platform until SIGTERM or SIGINT, then stops accepting, flushes,
 * closes and exits 0. A second signal exits at once with code 1.
 */
export async function run(args: string[]): Promise<number> {
  // Before any other check: help is help, whatever else the line (or the environment) holds.
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${configUsage}\n${clusterUsage}`);
    return 0;
  }
  const cluster = loadClusterConfig(args);
  if (!cluster.ok) {
    process.stderr.write(
      `urban-brain serve: ${redactUrls(cluster.message)}\n\n${configUsage}\n${clusterUsage}`,
    );
    return 2;
  }
  // Checked first: the embedded config's own rules about --mqtt-url speak of the embedded broker.
  const mqttUrlGiven =
    cluster.rest.some((arg) => arg === '--mqtt-url' || arg.startsWith('--mqtt-url=')) ||
    (process.env['URBAN_BRAIN_MQTT_URL'] ?? '') !== '';
  if (cluster.config !== null && mqttUrlGiven) {
    process.stderr.write(
      `urban-brain serve: --mqtt-url (URBAN_BRAIN_MQTT_URL) is for the embedded platform: ` +
        `a cluster's ingest processes run their own MQTT broker (--mqtt-port)\n\n${configUsage}`,
    );
    return 2;
  }
  if (cluster.config !== null) {
    const given = embeddedOnly.filter(([flag]) =>
      cluster.rest.some((arg) => arg === `--${flag}` || arg.startsWith(`--${flag}=`)),
    );
    if (given.length > 0) {
      process.stderr.write(
        `urban-brain serve: ${given.map(([flag]) => `--${flag}`).join(', ')}: for the embedded platform, ` +
          `not a cluster's roles (their data is in NATS, ClickHouse and PostgreSQL); leave ${given.length === 1 ? 'it' : 'them'} out\n\n${configUsage}`,
      );
      return 2;
    }
    for (const [, variable] of embeddedOnly)
      if (variable !== null && (process.env[variable] ?? '') !== '')
        log(`${variable} is for the embedded platform: ignored by a cluster's roles`);
  }
  const loaded = loadConfig(cluster.rest);
  if (loaded.ok === 'help') {
    process.stdout.write(`${configUsage}\n${clusterUsage}`);
    return 0;
  }
  if (!loaded.ok) {
    process.stderr.write(`urban-brain serve: ${redactUrls(loaded.message)}\n\n${configUsage}`);
    return 2;
  }
  const config = loaded.config;
  applyHeapGrowth(config);
  // With the URL of a scale-out engine given, run one role of a cluster instead of the embedded default.
  if (cluster.config !== null) return serveRole(config, cluster.config);
  const notFolder = config.memory ? undefined : dataDirProblem(config.dataDir);
  if (notFolder !== undefined) {
    process.stderr.write(`urban-brain serve: ${notFolder}\n\n${configUsage}`);
    return 2;
  }
  let folder: DemoFolder | null;
  try {
    folder = demoFolder(config);
  } catch (error) {
    log(`could not start: data folder ${config.dataDir}: ${describeError(error)}`);
    return 1;
  }
  if (folder !== null && folder.kind !== 'foreign')
    return runDemoInFolder(config, defaultDemoOptions, folder, ' (--demo off to start without it)');
  const platform = await started(() => startPlatform(config, log), log);
  if (platform === undefined) return 1;
  const storeName = config.memory ? 'memory (not durable)' : config.dataDir;
  const mqtt = platform.mqttPort === null ? `mqtt ${config.mqttUrl}` : `mqtt ${platform.mqttPort}`;
  // Signals are handled before readiness is announced: whoever waits for it may stop the server at once.
  const finished = runUntilSignalled(() => platform.stop(), log, undefined, platform.lost);
  log(`listening on http://${config.host}:${platform.httpPort}, ${mqtt}, data ${storeName}`);
  return finished;
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
    log(`could not start: ${describeError(error)}`);
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
  const roleLog = (line: string) =>
    process.stderr.write(`urban-brain[${process.pid}]: ${redactUrls(line)}\n`);
  const role = await started(() => startRole(config, cluster, roleLog), roleLog);
  if (role === undefined) return 1;
  const finished = runUntilSignalled(() => role.stop(), roleLog, config.shutdownTimeoutMillis + 20_000);
  roleLog(
    `role ${cluster.role} ready${role.httpPort === null ? '' : ` on http://${config.host}:${role.httpPort}`}`,
  );
  return finished;
}
