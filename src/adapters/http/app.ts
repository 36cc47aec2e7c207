import { allowedMethods } from './allowed-methods.ts';
import { Hono } from 'hono';
import type { MessageBus } from '../../ports/bus.ts';
import type { ReadingQueries } from '../../ports/reading-queries.ts';
import type { Registry } from '../../ports/registry.ts';
import type { KeyService } from '../../services/auth/keys.ts';
import type { EdgeIngest } from '../../services/edge/edge-ingest.ts';
import type { BatchParsers } from '../../services/edge/parsers.ts';
import type { AppEnv } from './env.ts';
import { LogLimiter } from '../../services/logging/log-limiter.ts';
import { failureResponse } from './failure-response.ts';
import { storageFailureResponse } from './ingest-response.ts';
import type { Metrics } from './metrics.ts';
import { serveDashboard } from './dashboard.ts';
import { authenticate, requireRole } from './middleware/auth.ts';
import { limitBody } from './middleware/body-limit.ts';
import { securityHeaders } from './middleware/security-headers.ts';
import { assetRoutes } from './routes/assets.ts';
import { ingestRoutes } from './routes/ingest.ts';
import { keyRoutes } from './routes/keys.ts';
import { latestRoutes } from './routes/latest.ts';
import { sensorRoutes } from './routes/sensors.ts';
import { streamRoutes } from './routes/stream.ts';
import type { StreamLimits } from './routes/stream-slots.ts';

export interface AppDependencies {
  edge: EdgeIngest;
  parsers: BatchParsers;
  registry: Registry;
  queries: ReadingQueries;
  keys: KeyService;
  bus: MessageBus;
  metrics: Metrics;
  bodyLimitBytes: number;
  nowMillis?: () => number;
  /** False while starting and once shutting down: `/healthz` then answers 503. */
  isReady?: () => boolean;
  /** Aborted at shutdown: ends live streams so the server can close. */
  closing?: AbortSignal;
  /** Live streams open at once (default 256 in all, 8 per key). */
  streams?: StreamLimits;
  /** A live-stream client that takes nothing for this long is cut off (default 60 s). */
  streamStallMillis?: number;
  /**
   * More resources (alerts, work orders, traffic …), each a Hono app mounted at `path` behind
   * authentication; they declare their own `requireRole(...)` per route.
   */
  routes?: readonly MountedRoutes[];
  /**
   * Where failed requests are logged (at most a line per kind a minute): the process's log, which
   * names the process and hides URL credentials. Default: standard error.
   */
  log?: (line: string) => void;
}

export interface MountedRoutes {
  path: string;
  app: Hono<AppEnv>;
}

/** The HTTP API. Controllers only translate HTTP; the work is done by the services behind them. */
export function createApp(deps: AppDependencies): Hono<AppEnv> {
  const nowMillis = deps.nowMillis ?? Date.now;
  const app = new Hono<AppEnv>();
  app.use('*', securityHeaders());

  // Liveness: answers while the event loop does, whatever the state of the log or the engines (a
  // restart would not mend those). Readiness, which checks them, is `/healthz`.
  app.get('/livez', (c) => c.json({ status: 'ok' }));
  app.get('/healthz', (c) => {
    const ready = deps.isReady?.() ?? true;
    return c.json({ status: ready ? 'ok' : 'unavailable' }, ready ? 200 : 503);
  });

  // The dashboard page is public: it asks for a key and sends it with every API call.
  serveDashboard(app);
  app.use('*', authenticate(deps.keys));
  app.use(
    '*',
    limitBody(deps.bodyLimitBytes, (c) =>
      c.json({ error: `body larger than ${deps.bodyLimitBytes} bytes` }, 413),
    ),
  );

  app.get('/metrics', requireRole('read'), async (c) => {
    c.header('Content-Type', deps.metrics.registry.contentType);
    return c.body(await deps.metrics.registry.metrics());
  });

  app.route(
    '/',
    ingestRoutes({ edge: deps.edge, parsers: deps.parsers, nowMillis, bodyLimitBytes: deps.bodyLimitBytes }),
  );
  app.route('/api/v1/assets', assetRoutes(deps.registry, deps.queries));
  app.route('/api/v1/sensors', sensorRoutes(deps.registry, deps.queries, nowMillis));
  app.route('/api/v1/latest', latestRoutes(deps.queries));
  app.route(
    '/api/v1/stream',
    streamRoutes({
      bus: deps.bus,
      registry: deps.registry,
      closing: deps.closing,
      limits: deps.streams,
      stallMillis: deps.streamStallMillis,
    }),
  );
  app.route('/api/v1/keys', keyRoutes(deps.keys));
  for (const mounted of deps.routes ?? []) app.route(mounted.path, mounted.app);

  // A path some route has, asked with another method, is a 405 listing the methods it has.
  app.notFound((c) => {
    const allowed = allowedMethods(app.routes, c.req.path);
    if (allowed.length === 0) return c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404);
    c.header('Allow', allowed.join(', '));
    return c.json(
      { error: `${c.req.method} is not allowed on ${c.req.path} (allowed: ${allowed.join(', ')})` },
      405,
    );
  });
  const failures = new LogLimiter({
    log: deps.log ?? ((line) => process.stderr.write(`urban-brain: ${line}\n`)),
    windowMillis: 60_000,
  });
  failures.start();
  app.onError((error, c) => {
    // The ingest pipeline logs a write-ahead-log outage once; each refused request is not logged.
    const unavailable = storageFailureResponse(c, error);
    if (unavailable !== undefined) return unavailable;
    return failureResponse(c, error, failures);
  });
  return app;
}
