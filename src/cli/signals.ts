import { describeError } from '../core/describe-error.ts';

/**
 * Runs until SIGTERM or SIGINT, then calls `stop` and resolves to the exit code: 0 once `stop`
 * has finished, 1 if it failed. A second signal exits at once with code 1, and so does a `stop`
 * still running after `deadlineMillis` (e.g. hung on an engine that is gone), and a platform whose
 * database is `lost` (a stop could write nothing; the next start replays the write-ahead log).
 */
export function runUntilSignalled(
  stop: () => Promise<unknown>,
  log: (line: string) => void,
  deadlineMillis?: number,
  lost?: Promise<Error>,
): Promise<number> {
  lost?.then(
    (error) => {
      log(
        `the database can no longer be used, exiting with code 1 without a shutdown (start the ` +
          `server again: it stores the acknowledged readings kept in the write-ahead log): ${describeError(error)}`,
      );
      process.exit(1);
    },
    () => undefined,
  );
  return new Promise<number>((resolve) => {
    let signals = 0;
    function onSignal(signal: NodeJS.Signals): void {
      signals += 1;
      if (signals > 1) {
        log(`${signal} again: exiting without finishing the shutdown`);
        process.exit(1);
      }
      log(`${signal}: stopping (send it again to force)`);
      if (deadlineMillis !== undefined) {
        setTimeout(() => {
          log('shutdown did not finish in time: exiting');
          process.exit(1);
        }, deadlineMillis).unref();
      }
      const finish = (code: number) => {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        resolve(code);
      };
      stop().then(
        () => {
          log('stopped cleanly');
          finish(0);
        },
        (error: unknown) => {
          log(`shutdown failed, exit code 1: ${describeError(error)}`);
          finish(1);
        },
      );
    }
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
