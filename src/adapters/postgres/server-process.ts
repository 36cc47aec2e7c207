import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { waitForPort } from '../nats/server-process.ts';

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

/** Runs a command as `postgres` when we are root (the server refuses to run as root). */
function asPostgres(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

/**
 * Creates a cluster in `directory` (trust auth, loopback only) if there is none, and starts it on
 * `port`. Connect as user `postgres`, database `postgres`.
 */
export async function startPostgresServer(directory: string, port: number): Promise<ChildProcess> {
  const data = join(directory, 'data');
  if (!existsSync(data)) {
    mkdirSync(directory, { recursive: true });
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
    execFileSync(command, args, { stdio: 'ignore' });
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
  const child = spawn(command, args, { stdio: 'ignore' });
  await waitForPort(port, 30_000);
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
