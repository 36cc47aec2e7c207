// One process of the scaled-out platform: `node --import tsx scripts/cluster/role.ts --role ingest ...`
// Takes the same flags as `urban-brain serve` plus the scale-out ones (see --help).
import { configUsage, loadConfig } from '../../src/config.ts';
import { clusterUsage, loadClusterConfig } from '../../src/services/cluster/cluster-config.ts';
import { startRole } from '../../src/services/cluster/compose.ts';

function log(line: string): void {
  process.stderr.write(`urban-brain[${process.pid}]: ${line}\n`);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help')) {
    process.stdout.write(`${configUsage}\n${clusterUsage}`);
    return 0;
  }
  const cluster = loadClusterConfig(args);
  if (!cluster.ok) {
    process.stderr.write(`${cluster.message}\n\n${clusterUsage}`);
    return 2;
  }
  const loaded = loadConfig(cluster.rest);
  if (loaded.ok !== true || cluster.config === null) {
    process.stderr.write(
      `${loaded.ok === false ? loaded.message : 'give --nats-url, --clickhouse-url and --postgres-url'}\n`,
    );
    return 2;
  }
  const config = loaded.config;
  const running = await startRole(config, cluster.config, log);
  if (running.generatedAdminKey !== null) log(`generated the first admin key: ${running.generatedAdminKey}`);
  log(
    `role ${cluster.config.role} ready${running.httpPort === null ? '' : ` on http port ${running.httpPort}`}`,
  );
  return new Promise<number>((resolve) => {
    let signals = 0;
    function onSignal(): void {
      signals += 1;
      if (signals > 1) process.exit(1);
      // A stop that hangs (an engine gone) must not keep the process: give it the shutdown timeout.
      setTimeout(() => {
        log('shutdown did not finish in time: exiting');
        process.exit(1);
      }, config.shutdownTimeoutMillis + 20_000).unref();
      running.stop().then(
        () => resolve(0),
        (error: unknown) => {
          log(`shutdown failed: ${String(error)}`);
          resolve(1);
        },
      );
    }
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
