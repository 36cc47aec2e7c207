import type { Database } from './database.ts';

/** DuckDB's words for a database that a fatal error (e.g. a checkpoint that failed) left unusable. */
const invalidatedPattern = /database has been invalidated/i;

/** True if `error` says the database was invalidated: every later statement fails the same way. */
export function isInvalidated(error: unknown): boolean {
  return invalidatedPattern.test(String(error));
}

export interface DatabaseWatch {
  /** Resolves with DuckDB's error the first time a probe finds the database invalidated. */
  lost: Promise<Error>;
  stop(): void;
}

/**
 * Probes `database` with `SELECT 1` every `intervalMillis` on a connection of its own. DuckDB
 * invalidates a database when a checkpoint fails (one ran out of its memory limit at a million
 * sensors); from then on every statement of every connection fails until the file is opened again,
 * by a new process. `lost` tells the caller, who should exit: readings acknowledged meanwhile are
 * in the write-ahead log, and the next start stores them. Other errors of a probe are ignored.
 */
export async function watchDatabase(database: Database, intervalMillis = 1_000): Promise<DatabaseWatch> {
  const connection = await database.connect();
  let report: (error: Error) => void = () => undefined;
  const lost = new Promise<Error>((resolve) => (report = resolve));
  let probing = false;
  let stopped = false;
  const timer = setInterval(() => {
    if (probing || stopped) return;
    probing = true;
    connection.run('SELECT 1').then(
      () => (probing = false),
      (error: unknown) => {
        probing = false;
        if (!isInvalidated(error)) return;
        stop();
        report(error instanceof Error ? error : new Error(String(error)));
      },
    );
  }, intervalMillis);
  timer.unref();
  function stop(): void {
    stopped = true;
    clearInterval(timer);
  }
  return { lost, stop };
}
