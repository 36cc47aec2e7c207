import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chownSync, closeSync, existsSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { serverProgram, untilReady, waitForPort } from '../nats/server-process.ts';
import { makeFolder } from '../files/folders.ts';

/**
 * The server binaries of the newest PostgreSQL (15 or later) installed the Debian way
 * (`/usr/lib/postgresql/<major>/bin`, package `postgresql`), or 15's folder when there is none.
 */
export const postgresBin = findPostgresBin('/usr/lib/postgresql');

export function findPostgresBin(root: string): string {
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((name) => /^\d+$/.test(name) && Number(name) >= 15)
        .filter((name) => existsSync(join(root, name, 'bin', 'postgres')))
        .map(Number)
        .sort((a, b) => b - a)
    : [];
  return join(root, String(majors[0] ?? 15), 'bin');
}

/** Whether PostgreSQL's server binaries (15 or later) are installed (Debian package postgresql). */
export function hasPostgres(): boolean {
  return existsSync(join(postgresBin, 'postgres'));
}

/**
 * Runs a command as `postgres` when we are root (the server refuses to run as root); `runuser` is
 * found in /usr/sbin too, which root's PATH may lack.
 */
function asPostgres(command: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [command, args];
  return [serverProgram('runuser') ?? 'runuser', ['-u', 'postgres', '--', command, ...args]];
}

/** The last lines of a failed command's standard error, for its error message. */
function lastLines(error: unknown): string {
  const stderr = (error as { stderr?: Buffer | string }).stderr?.toString().trim() ?? '';
  return stderr === '' ? (error as Error).message : stderr.split('\n').slice(-5).join(' | ');
}

/**
 * Creates a cluster in `directory` (trust auth, loopback only) if there is none, and starts it on
 * `port`. Connect as user `postgres`, database `postgres`.
 */
export async function startPostgresServer(directory: string, port: number): Promise<ChildProcess> {
  const data = join(directory, 'data');
  if (!existsSync(data)) {
    makeFolder(directory);
    if (process.getuid?.() === 0) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      chownSync(directory, uid, gid);
    }
    const [command, args] = asPostgres(join(postgresBin, 'initdb'), [
      '-D',
      data,
      '-U',
      'postgres',
      '-A',
      'trust',
      '--no-sync',
    ]);
    try {
      execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (error) {
      throw new Error(`PostgreSQL's initdb failed in ${data}: ${lastLines(error)}`, { cause: error });
    }
  }
  const [command, args] = asPostgres(join(postgresBin, 'postgres'), [
    '-D',
    data,
    '-p',
    String(port),
    '-h',
    '127.0.0.1',
    '-k',
    directory,
    '-c',
    'fsync=on',
    '-c',
    'shared_buffers=64MB',
    '-c',
    'max_connections=50',
  ]);
  // The server's own log (why it stopped, when it does) goes to a file of the folder.
  const logPath = join(directory, 'postgres.log');
  const log = openSync(logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(command, args, { stdio: ['ignore', log, log] });
  } finally {
    closeSync(log);
  }
  // A server that exits before its port opens (its data folder in use, a bad setting) fails at once.
  await untilReady(
    child,
    (signal) => waitForPort(port, 30_000, signal),
    `PostgreSQL in ${data} (log ${logPath})`,
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  // The port may have opened for another server: ours then exits, unable to bind.
  if (child.exitCode !== null || child.signalCode !== null)
    throw new Error(
      `PostgreSQL in ${data} exited (${child.exitCode ?? child.signalCode}) after port ${port} opened: ` +
        'another server holds the port',
    );
  return child;
}

/** Stops the cluster in `directory` (fast shutdown: clients cut, everything committed kept). */
export function stopPostgresServer(directory: string): void {
  const [command, args] = asPostgres(join(postgresBin, 'pg_ctl'), [
    'stop',
    '-D',
    join(directory, 'data'),
    '-m',
    'fast',
    '-w',
  ]);
  try {
    execFileSync(command, args, { stdio: 'ignore' });
  } catch {
    // not running
  }
}
