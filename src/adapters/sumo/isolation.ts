import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * SUMO 1.15 binds its TraCI port on all interfaces. We therefore run SUMO and its client together
 * inside a private network namespace (`unshare -rn`, loopback brought up inside): the port exists
 * only in that namespace and nothing outside the process pair can reach it.
 */

/** Interfaces of the current network namespace (from /proc/net/dev). */
export function networkInterfaces(): string[] {
  const lines = readFileSync('/proc/net/dev', 'utf8').split('\n').slice(2);
  return lines.map((line) => line.split(':')[0]?.trim() ?? '').filter((name) => name.length > 0);
}

/** True when this process sits in a network namespace that has no interface but loopback. */
export function isPrivateNetwork(): boolean {
  return networkInterfaces().every((name) => name === 'lo');
}

/** Throws unless the process is inside a private network namespace; called before SUMO starts. */
export function assertPrivateNetwork(): void {
  const interfaces = networkInterfaces();
  if (!interfaces.every((name) => name === 'lo')) {
    throw new Error(
      `refusing to start SUMO: its TraCI port would be reachable on ${interfaces.filter((name) => name !== 'lo').join(', ')}; ` +
        'run inside a private network namespace (see runIsolated)',
    );
  }
}

/** The command prefix that runs a program in a fresh network namespace with loopback up. */
export function isolatedCommand(program: string, args: readonly string[]): { file: string; args: string[] } {
  return {
    file: 'unshare',
    args: ['-rn', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', program, ...args],
  };
}

/** Node arguments that load TypeScript sources the way this project runs them. */
export function nodeArguments(scriptPath: string): string[] {
  return ['--import', import.meta.resolve('tsx'), scriptPath];
}

/** The isolated run ended because this process got `signal` (SIGINT, SIGTERM), passed on to the child. */
export class InterruptedError extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
    this.name = 'InterruptedError';
  }
}

/**
 * Why a private network namespace cannot be had here (`unshare` missing, or refused, e.g. where
 * unprivileged user namespaces are disabled), or undefined when it can. Tried as `isolatedCommand`
 * sets one up, so its own fault is told in one line, before the worker starts.
 */
export function namespaceRefusal(): string | undefined {
  const probe = spawnSync('unshare', ['-rn', 'sh', '-c', 'ip link set lo up'], { encoding: 'utf8' });
  if (probe.status === 0) return undefined;
  const detail =
    (probe.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT'
      ? 'the unshare command is not installed (Debian package util-linux)'
      : probe.stderr.trim().replaceAll(/\s*\n\s*/g, ' ') || `unshare exited ${probe.status ?? probe.signal}`;
  return `the isolated SUMO run needs a private network namespace (unshare -rn) and it was refused: ${detail}`;
}

/**
 * Runs a TypeScript module in a child Node process inside a private network namespace. The module
 * reads one JSON document on stdin and writes JSON values on stdout, one a line; each is passed to
 * `onValue` as soon as its line is complete (so a later failure loses none), and the promise
 * resolves with all of them. A module that fails may print `{"failure": "..."}` as its last line:
 * the promise then rejects with that message alone. stderr is passed through. While it runs, SIGINT and SIGTERM sent to
 * this process are passed on to the child (which must then clean up and exit) and the promise
 * rejects with `InterruptedError` once it has; a second signal kills the child at once.
 */
export function runIsolated(
  scriptPath: string,
  input: unknown,
  onValue: (value: unknown) => void = () => undefined,
): Promise<unknown[]> {
  const { file, args } = isolatedCommand(process.execPath, nodeArguments(scriptPath));
  const refusal = namespaceRefusal();
  if (refusal !== undefined) return Promise.reject(new Error(refusal));
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    let interrupted: NodeJS.Signals | undefined;
    const passOn = (signal: NodeJS.Signals): void => {
      child.kill(interrupted === undefined ? signal : 'SIGKILL');
      interrupted ??= signal;
    };
    const detach = (): void => {
      process.off('SIGINT', passOn);
      process.off('SIGTERM', passOn);
    };
    process.on('SIGINT', passOn);
    process.on('SIGTERM', passOn);
    const values: unknown[] = [];
    let pending = '';
    let garbled: string | undefined;
    let failure: string | undefined;
    const take = (line: string): void => {
      if (line.trim().length === 0 || garbled !== undefined) return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        garbled = line.slice(0, 200);
        return;
      }
      const reported = (value as { failure?: unknown } | null)?.failure;
      if (typeof reported === 'string') failure = reported;
      else {
        values.push(value);
        onValue(value);
      }
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(take);
    });
    child.on('error', (error) => {
      detach();
      reject(error);
    });
    child.on('close', (code, signal) => {
      detach();
      take(pending);
      if (interrupted !== undefined) {
        reject(new InterruptedError(interrupted));
        return;
      }
      if (code !== 0 && failure !== undefined) {
        reject(new Error(failure));
        return;
      }
      if (code !== 0) {
        const how = signal === null ? `with code ${code}` : `on signal ${signal}`;
        reject(new Error(`isolated run of ${scriptPath} exited ${how}`));
        return;
      }
      if (garbled !== undefined) {
        reject(new Error(`isolated run of ${scriptPath} printed a line that is not JSON: ${garbled}`));
        return;
      }
      resolve(values);
    });
    child.stdin.end(JSON.stringify(input));
  });
}
