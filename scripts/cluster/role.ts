// One process of the scaled-out platform: `node --import tsx scripts/cluster/role.ts --role ingest ...`,
// exactly `urban-brain serve` with the scale-out flags (see --help).
import { run } from '../../src/cli/serve.ts';

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `urban-brain: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
