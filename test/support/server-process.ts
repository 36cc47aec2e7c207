import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.ts';

const bin = fileURLToPath(new URL('../../bin/urban-brain.js', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  httpPort: number;
  mqttPort: number;
  baseUrl: string;
  adminKey: string;
  /** Everything written to stderr so far. */
  log(): string;
  /** Resolves with the exit code (or the signal name) once the process has ended. */
  exited: Promise<number | string>;
}

/** Spawns `urban-brain serve` on free ports and resolves once it prints its ready line. */
export async function startServer(dataDir: string, extraArgs: string[] = []): Promise<ServerProcess> {
  const httpPort = await freePort();
  const mqttPort = await freePort();
  const adminKey = 'test-admin-key-0123456789abcdef';
  const args = [
    bin,
    'serve',
    '--port',
    String(httpPort),
    // With an external broker there is no embedded one to give a port (a usage error).
    ...(extraArgs.includes('--mqtt-url') ? [] : ['--mqtt-port', String(mqttPort)]),
    // In memory there is no data folder to name (a usage error).
    ...(extraArgs.includes('--memory') ? [] : ['--data-dir', dataDir]),
    ...extraArgs,
  ];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, URBAN_BRAIN_ADMIN_KEY: adminKey },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 20 s:\n${stderr}`)), 20_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before it was ready:\n${stderr}`));
    });
  });
  return {
    child,
    httpPort,
    mqttPort,
    baseUrl: `http://127.0.0.1:${httpPort}`,
    adminKey,
    log: () => stderr,
    exited,
  };
}
