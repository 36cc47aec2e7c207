import type { Config } from '../../config.ts';
import type { ClusterConfig } from './cluster-config.ts';
import { startRole } from './compose.ts';

/**
 * Runs one scaled-out role until SIGTERM or SIGINT, then hands shards back, flushes and exits 0
 * (what `urban-brain serve --role …` does). A second signal, or a shutdown that hangs on an engine
 * that is gone, exits 1.
 */
export async function serveRole(
  config: Config,
  cluster: ClusterConfig,
  log: (line: string) => void,
): Promise<number> {
  let running;
  try {
    running = await startRole(config, cluster, log);
  } catch (error) {
    log(`could not start: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const role = running;
  if (role.generatedAdminKey !== null) {
    log(`generated the first admin key (shown only this once, store it now): ${role.generatedAdminKey}`);
  }
  log(
    `role ${cluster.role} ready${role.httpPort === null ? '' : ` on http://${config.host}:${role.httpPort}`}`,
  );
  return new Promise<number>((resolve) => {
    let signals = 0;
    function onSignal(signal: NodeJS.Signals): void {
      signals += 1;
      if (signals > 1) process.exit(1);
      log(`${signal}: stopping (send it again to force)`);
      setTimeout(() => {
        log('shutdown did not finish in time: exiting');
        process.exit(1);
      }, config.shutdownTimeoutMillis + 20_000).unref();
      role.stop().then(
        () => {
          process.off('SIGTERM', onSignal);
          process.off('SIGINT', onSignal);
          resolve(0);
        },
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
