// One process of the scaled-out platform: `node --import tsx scripts/cluster/role.ts --role ingest ...`
// The same as `urban-brain serve` with the scale-out flags (see --help).
import { configUsage, loadConfig } from '../../src/config.ts';
import { clusterUsage, loadClusterConfig } from '../../src/services/cluster/cluster-config.ts';
import { serveRole } from '../../src/services/cluster/serve-role.ts';

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
    const message =
      loaded.ok === false ? loaded.message : 'give --nats-url, --clickhouse-url and --postgres-url';
    process.stderr.write(`${message}\n`);
    return 2;
  }
  return serveRole(loaded.config, cluster.config, log);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
