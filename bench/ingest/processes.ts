export { freePort } from '../../src/adapters/free-port.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The admin key the benchmarks give the servers they start (`URBAN_BRAIN_ADMIN_KEY`). */
export const benchAdminKey = 'bench-admin-key-0123456789abcdef';

/** Node's arguments for this checkout's `urban-brain serve` on these ports and data folder. */
export function serveArguments(http: number, mqttPort: number, dataDir: string): string[] {
  return [
    fileURLToPath(new URL('../../bin/urban-brain.js', import.meta.url)),
    'serve',
    '--port',
    String(http),
    '--mqtt-port',
    String(mqttPort),
    '--data-dir',
    dataDir,
  ];
}

/** Peak resident set of a process in MiB (VmHWM), or NaN when it is gone. */
export function peakRssMegabytes(pid: number | undefined): number {
  return statusMegabytes(pid, 'VmHWM');
}

/** Resident set of a process now in MiB (VmRSS), or NaN when it is gone. */
export function rssMegabytes(pid: number | undefined): number {
  return statusMegabytes(pid, 'VmRSS');
}

function statusMegabytes(pid: number | undefined, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status);
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/**
 * Reads a process's peak resident set every 100 ms until `stop`, which returns the last figure read
 * (VmHWM only grows: it is the process's peak up to that read). For a process stopping on its own.
 */
export function watchPeakRss(pid: number | undefined): { stop(): number } {
  let peak = peakRssMegabytes(pid);
  const timer = setInterval(() => {
    const now = peakRssMegabytes(pid);
    if (!Number.isNaN(now)) peak = now;
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

/** User + system CPU seconds a process has used so far (all its threads), from /proc. */
export function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Bytes of every file under `directory`. */
export function directoryBytes(directory: string): number {
  let total = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    total += entry.isDirectory() ? directoryBytes(path) : statSync(path).size;
  }
  return total;
}

export function sleep(millis: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, millis));
}

/**
 * Polls `url` until it answers 2xx or `timeoutMillis` pass; with `alive`, gives up as soon as it
 * says the process that should answer is gone.
 */
export async function waitForHttp(
  url: string,
  timeoutMillis: number,
  init: RequestInit = {},
  alive?: () => boolean,
): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (Date.now() < deadline) {
    if (alive !== undefined && !alive()) throw new Error(`the process that should answer ${url} exited`);
    try {
      const response = await fetch(url, init);
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${url} did not answer within ${timeoutMillis} ms`);
}

/** Starts a child process with its output prefixed on our stderr. */
export function startProcess(command: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const forward = (data: Buffer) => {
    const text = data.toString().trimEnd();
    if (text.length > 0) process.stderr.write(`  [${command.split('/').at(-1)}] ${text.slice(0, 400)}\n`);
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  return child;
}

/** Sends SIGTERM and waits for the exit (SIGKILL after `timeoutMillis`). */
export async function stopProcess(child: ChildProcess, timeoutMillis = 60_000): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMillis);
  const code = await exited;
  clearTimeout(timer);
  return code;
}
