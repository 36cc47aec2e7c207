import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { freePort } from '../free-port.ts';
import { TraciClient } from './client.ts';
import { assertPrivateNetwork } from './isolation.ts';

export interface SumoLaunchOptions {
  /** SUMO configuration file; or give `netFile` (and `routeFiles`) instead. */
  readonly sumocfg?: string;
  readonly netFile?: string;
  readonly routeFiles?: readonly string[];
  readonly additionalFiles?: readonly string[];
  readonly seed: number;
  /** Where SUMO writes tripinfo output (unfinished trips included). */
  readonly tripinfoFile?: string;
  readonly extraArguments?: readonly string[];
  readonly binary?: string;
  /**
   * Aborting it kills SUMO with SIGKILL (SUMO serving TraCI defers SIGINT and SIGTERM to the next
   * step its client asks for); the session's calls then fail.
   */
  readonly signal?: AbortSignal;
}

export interface SumoSession {
  readonly client: TraciClient;
  readonly process: ChildProcess;
  /** Sends TraCI close (SUMO writes outputs) and waits for the process to exit. */
  stop(): Promise<void>;
}

/** SUMO's command line for `options`; with `port`, SUMO waits for a TraCI client there. */
export function sumoArguments(options: SumoLaunchOptions, port?: number): string[] {
  const args: string[] = [];
  if (options.sumocfg) args.push('-c', options.sumocfg);
  if (options.netFile) args.push('--net-file', options.netFile);
  if (options.routeFiles?.length) args.push('--route-files', options.routeFiles.join(','));
  if (options.additionalFiles?.length) args.push('--additional-files', options.additionalFiles.join(','));
  if (options.tripinfoFile) {
    args.push('--tripinfo-output', options.tripinfoFile, '--tripinfo-output.write-unfinished', 'true');
  }
  args.push('--seed', String(options.seed));
  if (port !== undefined) args.push('--remote-port', String(port));
  args.push('--no-step-log', 'true', '--no-warnings', 'true', '--duration-log.disable', 'true');
  args.push(...(options.extraArguments ?? []));
  return args;
}

/** Starts SUMO serving TraCI and connects to it. Refuses to run outside a private network namespace. */
export async function startSumo(options: SumoLaunchOptions): Promise<SumoSession> {
  assertPrivateNetwork();
  const port = await freePort();
  const child = spawn(options.binary ?? 'sumo', sumoArguments(options, port), {
    stdio: ['ignore', 'ignore', 'pipe'],
    signal: options.signal,
    killSignal: 'SIGKILL',
    // SUMO validates XML against the schemas under SUMO_HOME; without it, it would look them up online.
    env: { ...process.env, SUMO_HOME: process.env.SUMO_HOME ?? '/usr/share/sumo' },
  });
  const errors: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => errors.push(chunk.toString('utf8')));
  // How SUMO ended: 'with code 1', or 'on signal SIGKILL' (the close event's code is then null).
  const exited = new Promise<string | undefined>((resolve) =>
    child.once('close', (code, signal) =>
      resolve(code === 0 ? undefined : code === null ? `on signal ${signal}` : `with code ${code}`),
    ),
  );
  const spawnFailed = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === 'ENOENT' && options.binary === undefined
            ? 'cannot start SUMO: sumo is not installed or not on PATH (Debian package sumo)'
            : `cannot start SUMO: ${error.message}`,
        ),
      ),
    );
    void exited.then((how) =>
      reject(
        new Error(`SUMO exited ${how ?? 'with code 0'} before TraCI connected: ${errors.join('').trim()}`),
      ),
    );
  });
  let client: TraciClient;
  // A SUMO that failed to start or exited stops the connection attempts (they kept the process
  // alive 30 s after the failure was known).
  const connecting = new AbortController();
  try {
    client = await Promise.race([
      TraciClient.connect({ host: '127.0.0.1', port, signal: connecting.signal }),
      spawnFailed,
    ]);
  } catch (error) {
    connecting.abort();
    child.kill();
    throw error;
  }
  spawnFailed.catch(() => undefined);
  return {
    client,
    process: child,
    async stop() {
      const closed = client.close().then(
        () => undefined,
        (error: unknown) => error,
      );
      const closeError = await closed;
      if (closeError) child.kill();
      const how = await exited;
      if (how !== undefined) throw new Error(`SUMO exited ${how}: ${errors.join('').trim()}`);
      if (closeError) throw closeError;
    },
  };
}
