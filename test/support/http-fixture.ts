import { nodeSecrets } from '../../src/adapters/crypto/secrets.ts';
import { createApp, type MountedRoutes } from '../../src/adapters/http/app.ts';
import { Metrics } from '../../src/adapters/http/metrics.ts';
import type { StreamLimits } from '../../src/adapters/http/routes/stream-slots.ts';
import { MemoryBus } from '../../src/adapters/memory/bus.ts';
import { MemoryKeyStore } from '../../src/adapters/memory/keys.ts';
import { MemoryReadings, type MemoryReadingsOptions } from '../../src/adapters/memory/readings.ts';
import { ReadingQueryService } from '../../src/services/query/reading-query-service.ts';
import { MemoryRegistry } from '../../src/adapters/memory/registry.ts';
import type { Role } from '../../src/core/auth/role.ts';
import type { UnknownSensorPolicy } from '../../src/core/registry/policy.ts';
import { KeyService } from '../../src/services/auth/keys.ts';
import { coreParsers } from '../../src/services/edge/core-parsers.ts';
import { EdgeIngest } from '../../src/services/edge/edge-ingest.ts';

export interface FixtureOptions {
  policy?: UnknownSensorPolicy;
  bodyLimitBytes?: number;
  readings?: MemoryReadingsOptions;
  nowMillis?: number;
  /** The keys' clock (default: `nowMillis`, fixed), for keys that expire while a test runs. */
  keyClock?: () => number;
  maxInFlightReadings?: number;
  /** Live-stream limits and the time after which a client that does not read is cut off. */
  streams?: StreamLimits;
  streamStallMillis?: number;
  /** What the app asks before answering `/healthz` (default: always ready). */
  isReady?: () => boolean;
  /** More routes, mounted as the platform mounts its resources. */
  routes?: readonly MountedRoutes[];
  /** The app's log (failed requests). */
  log?: (line: string) => void;
}

/** The HTTP app over in-memory adapters, with one key per role. */
export async function httpFixture(options: FixtureOptions = {}) {
  const now = options.nowMillis ?? Date.UTC(2026, 0, 1);
  const readings = new MemoryReadings(options.readings);
  const registry = new MemoryRegistry();
  const bus = new MemoryBus();
  const metrics = new Metrics();
  const keys = new KeyService(new MemoryKeyStore(), nodeSecrets, options.keyClock ?? (() => now));
  const edge = new EdgeIngest({
    ingestor: readings,
    registry,
    bus,
    policy: options.policy ?? 'auto-register',
    observer: metrics,
    ...(options.maxInFlightReadings === undefined
      ? {}
      : { maxInFlightReadings: options.maxInFlightReadings }),
  });
  const closing = new AbortController();
  const app = createApp({
    edge,
    parsers: coreParsers(),
    registry,
    queries: new ReadingQueryService(readings.store),
    keys,
    bus,
    metrics,
    bodyLimitBytes: options.bodyLimitBytes ?? 1024 * 1024,
    nowMillis: () => now,
    closing: closing.signal,
    streams: options.streams,
    streamStallMillis: options.streamStallMillis,
    isReady: options.isReady,
    routes: options.routes,
    log: options.log,
  });
  const secrets = {} as Record<Role, string>;
  for (const role of ['viewer', 'operator', 'admin', 'device'] as const)
    secrets[role] = (await keys.create(role, role)).secret;

  /** A request with the key of `role` (or none when `role` is null). */
  function request(role: Role | null, path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (role !== null) headers.set('Authorization', `Bearer ${secrets[role]}`);
    return Promise.resolve(app.request(path, { ...init, headers }));
  }

  function post(role: Role | null, path: string, body: unknown, contentType = 'application/json') {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return request(role, path, { method: 'POST', body: text, headers: { 'Content-Type': contentType } });
  }

  return { app, readings, registry, bus, metrics, keys, secrets, request, post, now, closing };
}
