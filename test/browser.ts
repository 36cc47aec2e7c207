import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Helpers for tests and benchmarks that drive the dashboard in Debian's Chromium (never downloaded). */
export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
export const chromiumPath = '/usr/bin/chromium';

export interface DemoServer {
  url: string;
  operatorKey: string;
  viewerKey: string;
  adminKey: string;
  child: ChildProcess;
  stderr: string[];
  stop(): Promise<void>;
}

/** The newest modification time (ms) of the dashboard's sources: web/index.html and web/src. */
function newestSourceMillis(): number {
  const sources = [`${repoRoot}web/index.html`, `${repoRoot}web/vite.config.ts`];
  for (const name of readdirSync(`${repoRoot}web/src`, { recursive: true, encoding: 'utf8' }))
    sources.push(`${repoRoot}web/src/${name}`);
  return Math.max(...sources.map((path) => statSync(path).mtimeMs));
}

/** Builds the dashboard into web/dist when it is not built, or older than its sources (tests never drive a stale page). */
export async function ensureDashboardBuilt(): Promise<void> {
  const built = `${repoRoot}web/dist/index.html`;
  if (existsSync(built) && statSync(built).mtimeMs >= newestSourceMillis()) return;
  const { build } = await import('vite');
  await build({ configFile: `${repoRoot}web/vite.config.ts`, logLevel: 'warn' });
}

/**
 * Starts `urban-brain demo` (or `serve`, which runs the demo city on an empty or demo data folder)
 * on free ports and waits for the keys it prints.
 */
export async function startDemoServer(
  args: string[],
  timeoutMillis = 120_000,
  command: 'demo' | 'serve' = 'demo',
): Promise<DemoServer> {
  const child = spawn(
    process.execPath,
    ['bin/urban-brain.js', command, '--port', '0', '--mqtt-port', '0', ...args],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    stderr.push(line);
    if (stderr.length > 200) stderr.shift();
  });
  const first = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Not left running: a child with open pipes would keep the test process alive.
      child.kill('SIGKILL');
      reject(new Error(`demo did not start in ${timeoutMillis} ms:\n${stderr.join('\n')}`));
    }, timeoutMillis);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`demo exited with ${code}:\n${stderr.join('\n')}`));
    });
  });
  const keys = JSON.parse(first) as { url: string; operatorKey: string; viewerKey: string; adminKey: string };
  return {
    ...keys,
    child,
    stderr,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(force);
    },
  };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Opens the dashboard and signs in with `key`; resolves once the map and feeds are loaded. */
export async function signIn(
  browser: Browser,
  url: string,
  key: string,
  viewport = { width: 1500, height: 900 },
): Promise<Page> {
  const page = await browser.newPage({ viewport });
  // Functions handed to page.evaluate are compiled by tsx, which may wrap named functions in `__name`.
  await page.addInitScript({ content: 'window.__name = (target) => target;' });
  await page.goto(url);
  await page.fill('#login-key', key);
  await page.click('#login button[type=submit]');
  await page.waitForSelector('body[data-ready=true]', { state: 'attached', timeout: 60_000 });
  return page;
}

/** Calls the platform's API with a key, as a script would; `body` is sent as JSON. */
export async function api(
  server: DemoServer,
  key: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (body === undefined) return fetch(new URL(path, server.url), { method, headers });
  headers['content-type'] = 'application/json';
  return fetch(new URL(path, server.url), { method, headers, body: JSON.stringify(body) });
}

/** A TCP relay in front of the platform whose link can be cut, as by a network outage, while the platform runs on. */
export interface Outage {
  /** The platform's URL through the relay. */
  url: string;
  /** Cuts every open connection and refuses new ones (true), or lets them through again (false). */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

export async function startOutageRelay(target: string): Promise<Outage> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let down = false;
  const relay = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(port), hostname);
    const pair = [client, upstream];
    for (const socket of pair) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        sockets.delete(socket);
        for (const other of pair) other.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const address = relay.address();
  if (address === null || typeof address === 'string') throw new Error('relay has no port');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    setDown(value) {
      down = value;
      if (value) for (const socket of sockets) socket.destroy();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => relay.close(resolve));
    },
  };
}
