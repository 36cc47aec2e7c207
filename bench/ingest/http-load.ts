import { Agent, request } from 'node:http';
import { keepAliveTimeoutMillis } from '../../src/adapters/http/server.ts';
import { sleep } from './processes.ts';

export interface LoadResult {
  readings: number;
  seconds: number;
  latenciesMillis: number[];
  retries: number;
  rejected: number;
  /** CPU seconds (user and system) this process, the load's client, spent sending it. */
  clientCpuSeconds?: number;
}

export interface Target {
  port: number;
  path: string;
  headers: Record<string, string>;
}

function post(
  agent: Agent,
  target: Target,
  body: string | Buffer,
): Promise<{ status: number; retryAfter: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port: target.port,
        method: 'POST',
        path: target.path,
        headers: target.headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: Number(res.headers['retry-after'] ?? 1),
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * POSTs `body` until it is acknowledged (2xx) and returns the answer's text; 429/503 are sent again
 * after a pause of their Retry-After, at most 200 ms (`onOverloaded` told each time). A connection
 * that breaks before an answer fails the call, unless `onBrokenConnection` says to send again (it
 * is then sent after 200 ms). Any other status fails it.
 */
export async function postUntilAcknowledged(
  agent: Agent,
  target: Target,
  body: string | Buffer,
  handlers: { onOverloaded?: () => void; onBrokenConnection?: (error: Error) => boolean } = {},
): Promise<string> {
  for (;;) {
    let response: Awaited<ReturnType<typeof post>>;
    try {
      response = await post(agent, target, body);
    } catch (error) {
      if (handlers.onBrokenConnection?.(error as Error) !== true) throw error;
      await sleep(200);
      continue;
    }
    if (response.status >= 200 && response.status < 300) return response.body;
    if (response.status !== 429 && response.status !== 503)
      throw new Error(`${target.path} answered ${response.status}: ${response.body.slice(0, 300)}`);
    handlers.onOverloaded?.();
    await sleep(Math.min(200, response.retryAfter * 1000));
  }
}

/**
 * Keeps up to `connections` connections open, and closes one left idle a second before the
 * server's keep-alive timeout would: a body is then never sent on a connection the server is
 * closing (the client would see it reset). Node's agent reuses the most recently used connection
 * first, so the others can idle that long.
 */
export function keepAliveAgent(connections: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: connections, timeout: keepAliveTimeoutMillis - 1000 });
}

/**
 * POSTs every body over `connections` keep-alive connections, each body until it is acknowledged
 * (2xx); 429/503 are retried after a short pause. Latency is from the first send to the 2xx.
 */
export async function pushBodies(
  target: Target,
  bodies: readonly (string | Buffer)[],
  readingsPerBody: (index: number) => number,
  connections: number,
): Promise<LoadResult> {
  const agent = keepAliveAgent(connections);
  // Encoded once before the clock starts, as a client that sends what it has buffered does: the
  // load's CPU is then the sending alone (the same for every server measured).
  const encoded = bodies.map((body) => (typeof body === 'string' ? Buffer.from(body) : body));
  const latenciesMillis: number[] = [];
  let next = 0;
  let retries = 0;
  let readings = 0;
  let rejected = 0;
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  async function worker(): Promise<void> {
    while (next < encoded.length) {
      const index = next++;
      const body = encoded[index] as Buffer;
      const sent = performance.now();
      const answer = await postUntilAcknowledged(agent, target, body, { onOverloaded: () => retries++ });
      if (answer.includes('"rejected":[{')) rejected++;
      latenciesMillis.push(performance.now() - sent);
      readings += readingsPerBody(index);
    }
  }
  await Promise.all(Array.from({ length: connections }, () => worker()));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  agent.destroy();
  return {
    readings,
    seconds,
    latenciesMillis,
    retries,
    rejected,
    clientCpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

export function percentile(values: number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] as number;
}
