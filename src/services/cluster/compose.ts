import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { connect } from 'nats';
import type { NatsConnection } from 'nats';
import type pg from 'pg';
import { ClickHouseReadings } from '../../adapters/clickhouse/clickhouse-readings.ts';
import { nodeSecrets } from '../../adapters/crypto/secrets.ts';
import { createApp } from '../../adapters/http/app.ts';
import type { MountedRoutes } from '../../adapters/http/app.ts';
import { Metrics } from '../../adapters/http/metrics.ts';
import { emergencyRoutes } from '../../adapters/http/routes/emergency.ts';
import { maintenanceRoutes } from '../../adapters/http/routes/maintenance.ts';
import { meRoutes } from '../../adapters/http/routes/me.ts';
import { startBroker } from '../../adapters/mqtt/broker.ts';
import type { RunningBroker } from '../../adapters/mqtt/broker.ts';
import { Coalescer } from '../../adapters/mqtt/coalescer.ts';
import { JetStreamIngestor } from '../../adapters/nats/jetstream-ingestor.ts';
import { NatsBus } from '../../adapters/nats/nats-bus.ts';
import { defaultLayout } from '../../adapters/nats/shards.ts';
import type { StreamLayout } from '../../adapters/nats/shards.ts';
import { defaultStreamOptions, ensureReadingStream } from '../../adapters/nats/stream.ts';
import { PostgresKeyStore } from '../../adapters/postgres/keys-store.ts';
import { PostgresMaintenanceRepository } from '../../adapters/postgres/maintenance-repository.ts';
import { PostgresPatientQueues } from '../../adapters/postgres/patient-queues.ts';
import { openPool } from '../../adapters/postgres/pool.ts';
import { PostgresRegistry } from '../../adapters/postgres/registry.ts';
import type { Config } from '../../config.ts';
import { findDetector } from '../../core/anomaly/registry.ts';
import { KeyService } from '../auth/keys.ts';
import { DetectionService } from '../detection/detection-service.ts';
import { coreParsers } from '../edge/core-parsers.ts';
import { EmergencyService } from '../emergency/emergency-service.ts';
import { shippedModel } from '../../core/triage/shipped-model.ts';
import { EdgeIngest } from '../edge/edge-ingest.ts';
import { defaultPipelineOptions } from '../ingest/pipeline-options.ts';
import type { ClusterConfig } from './cluster-config.ts';
import { CoalescingSink } from './coalescing-sink.ts';
import { StreamPieces } from '../../adapters/nats/snapshot-pieces.ts';
import { ProcessingRole } from './processing-role.ts';
import { RetentionTimer } from './retention-timer.ts';
import { retry } from './retry.ts';
import { ReadingQueryService } from '../query/reading-query-service.ts';
import { WarmedEdgeIngest } from './warmed-edge-ingest.ts';

export interface RunningRole {
  /** HTTP port of the ingest/API edge; null for `process`. */
  httpPort: number | null;
  mqttPort: number | null;
  generatedAdminKey: string | null;
  processing: ProcessingRole | null;
  ingestor: JetStreamIngestor | null;
  /** Stops accepting, hands shards back, flushes and closes. Idempotent. */
  stop(): Promise<void>;
}

interface Shared {
  nats: NatsConnection;
  pool: pg.Pool;
  layout: StreamLayout;
  bus: NatsBus;
  registry: PostgresRegistry;
  maintenance: PostgresMaintenanceRepository;
  store: ClickHouseReadings;
}

function storeOptions(cluster: ClusterConfig) {
  return {
    shardUrls: cluster.clickhouseUrls,
    cluster: cluster.clickhouseCluster,
    database: cluster.clickhouseDatabase,
    minuteRollup: cluster.clickhouseMinuteRollup,
  };
}

/** Opens the ClickHouse schema, waiting for ClickHouse if it is not up yet. */
async function openStore(cluster: ClusterConfig, log: (line: string) => void): Promise<ClickHouseReadings> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await ClickHouseReadings.open(storeOptions(cluster));
    } catch (error) {
      if (attempt % 10 === 1) log(`waiting for ClickHouse: ${String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}

async function connectShared(
  config: Config,
  cluster: ClusterConfig,
  log: (line: string) => void,
): Promise<Shared> {
  const nats = await connect({
    servers: cluster.natsUrls,
    name: `urban-brain-${cluster.role}-${process.pid}`,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    // Otherwise every JetStream publish builds an Error to keep the caller's stack for a timeout
    // message (about 5 % of an ingest process's CPU in the profile). A timeout still says what timed out.
    noAsyncTraces: true,
  });
  const layout = { ...defaultLayout, shards: cluster.shards };
  const manager = await nats.jetstreamManager({ timeout: 20_000 });
  await retry(
    'readings stream',
    () => ensureReadingStream(manager, layout, { ...defaultStreamOptions, replicas: cluster.replicas }),
    log,
  );
  const pool = await openPool(cluster.postgresUrl);
  const onError = (error: unknown): void => log(`bus handler failed: ${String(error)}`);
  const needsSchema = cluster.role === 'process' || cluster.role === 'all';
  return {
    nats,
    pool,
    layout,
    bus: new NatsBus({ connection: nats, prefix: layout.prefix, onHandlerError: onError }),
    registry: new PostgresRegistry(pool, { maxCachedSensors: cluster.maxCachedSensors }),
    maintenance: new PostgresMaintenanceRepository(pool),
    store: needsSchema ? await openStore(cluster, log) : ClickHouseReadings.connect(storeOptions(cluster)),
  };
}

function listen(fetch: (request: Request) => Response | Promise<Response>, config: Config): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port: config.port, hostname: config.host }, () =>
      resolve(server as Server),
    );
    server.once('error', reject);
  });
}

/**
 * Composition of one scaled-out process: `ingest` (HTTP and MQTT edges onto JetStream), `process`
 * (shard leases, ClickHouse writes, detectors, alerts), `api` (queries, registry, keys, work orders,
 * live stream; it accepts readings too), or `all` of them.
 */
export async function startRole(
  config: Config,
  cluster: ClusterConfig,
  log: (line: string) => void,
): Promise<RunningRole> {
  const shared = await connectShared(config, cluster, log);
  const { nats, layout, bus, registry, maintenance, store } = shared;
  const js = nats.jetstream({ timeout: 20_000 });
  const manager = await nats.jetstreamManager({ timeout: 20_000 });
  const detector = config.detector === 'none' ? undefined : findDetector(config.detector);
  const onError = (error: unknown): void => log(String(error));

  let processing: ProcessingRole | null = null;
  if (cluster.role === 'process' || cluster.role === 'all') {
    processing = new ProcessingRole({
      js,
      manager,
      layout,
      leasesKv: await retry(
        'shard leases bucket',
        () =>
          js.views.kv('urban_brain_leases', {
            ttl: cluster.leaseMillis,
            history: 1,
            replicas: cluster.replicas,
          }),
        log,
      ),
      countMembers: async () => {
        const info = await manager.streams.info('KV_urban_brain_leases', {
          subjects_filter: '$KV.urban_brain_leases.member.>',
        });
        return Object.keys(info.state.subjects ?? {}).length;
      },
      ...(await retry(
        'snapshot store',
        async () => {
          const objects = await js.views.os('urban_brain_snapshots', { replicas: cluster.replicas });
          const snapshots = await StreamPieces.open({
            manager,
            js,
            objects,
            stream: 'urban_brain_snapshot_pieces',
            replicas: cluster.replicas,
            // A message may carry max_payload bytes, headers included.
            maxInlineBytes: Math.max(1_024, (nats.info?.max_payload ?? 1_048_576) - 4_096),
          });
          return { snapshots, legacySnapshots: objects };
        },
        log,
      )),
      sink: new CoalescingSink({
        sink: store,
        maxReadings: 100_000,
        lingerMillis: 500,
        callers: () => processing?.owned().length ?? 1,
        // Each insert makes a part per ClickHouse table: 500 ms apart for a processor holding every
        // shard, wider for one holding a share (2 s for a quarter), so adding processors does not
        // multiply the parts; at most 2 s, so that with many processors no reading waits longer.
        spacingMillis: () =>
          Math.min(2_000, (500 * layout.shards) / Math.max(1, processing?.owned().length ?? 1)),
      }),
      bus,
      repository: maintenance,
      registry,
      detector,
      learningSpanMillis: config.learningSpanMillis,
      commitIntervalMillis: cluster.commitIntervalMillis,
      member: cluster.member,
      leaseMillis: cluster.leaseMillis,
      onError,
      log,
    });
    processing.start();
  }

  let server: Server | null = null;
  let broker: RunningBroker | null = null;
  let coalescer: Coalescer | null = null;
  let ingestor: JetStreamIngestor | null = null;
  let generatedAdminKey: string | null = null;
  let emergency: EmergencyService | null = null;
  let ready = false;
  const closing = new AbortController();
  if (cluster.role !== 'process') {
    const keys = new KeyService(new PostgresKeyStore(shared.pool), nodeSecrets);
    try {
      const bootstrap = await keys.bootstrapAdmin(config.adminKey);
      if (bootstrap.kind === 'generated') generatedAdminKey = bootstrap.secret;
    } catch (error) {
      // Another process of the cluster stored the same configured key a moment before.
      if (config.adminKey === null) throw error;
    }
    ingestor = new JetStreamIngestor({
      js,
      layout,
      maxPendingReadings: 500_000,
      publishTimeoutMillis: 10_000,
      onError,
    });
    const metrics = new Metrics({ processMetrics: true });
    const parsers = coreParsers({ maxFutureMillis: config.maxFutureMillis });
    const edgeOptions = { ingestor, registry, bus, policy: config.unknownSensors, observer: metrics };
    // The registry cache holds only sensors this process met: under `reject`, each batch's sensors
    // are loaded from PostgreSQL first.
    const edge =
      config.unknownSensors === 'reject'
        ? new WarmedEdgeIngest({ ...edgeOptions, warm: (ids) => registry.warm(ids), onError })
        : new EdgeIngest(edgeOptions);
    const routes: MountedRoutes[] = [{ path: '/api/v1', app: meRoutes() }];
    if (detector !== undefined) {
      // Verdicts only: detectors run in the processing role.
      const detection = new DetectionService({
        bus,
        repository: maintenance,
        states: { saveDetectorStates: async () => undefined, loadDetectorStates: async () => [] },
        registry,
        detector,
        snapshotIntervalMillis: 0,
        onError,
      });
      routes.push({ path: '/api/v1', app: maintenanceRoutes({ repository: maintenance, detection }) });
    }
    const queries = new ReadingQueryService(store);
    if (cluster.role === 'api' || cluster.role === 'all') {
      // Triage and emergency load: the queues are in PostgreSQL, shared by every API process, and
      // occupancy is the latest stored reading (the live readings are not taken in here).
      emergency = new EmergencyService({
        registry,
        bus,
        queues: new PostgresPatientQueues(shared.pool),
        model: shippedModel(),
        latestOccupancy: (sensors) => queries.latest(sensors),
        log,
      });
      await emergency.start();
      metrics.watchEmergency(emergency);
      routes.push({ path: '/api/v1', app: emergencyRoutes(emergency) });
    }
    const app = createApp({
      edge,
      parsers,
      registry,
      queries,
      keys,
      bus,
      metrics,
      bodyLimitBytes: config.bodyLimitBytes,
      isReady: () => ready,
      closing: closing.signal,
      routes,
    });
    server = await listen(app.fetch, config);
    if (cluster.role !== 'api') {
      coalescer = new Coalescer({ edge });
      broker = await startBroker({ host: config.host, port: config.mqttPort, coalescer, parsers, keys });
    }
  }
  // Retention drops whole days on every shard: the API processes do it (a second one finds
  // nothing left to drop).
  let retention: RetentionTimer | null = null;
  if (cluster.role === 'api' || cluster.role === 'all') {
    retention = new RetentionTimer({
      store,
      policy: defaultPipelineOptions.retention,
      intervalMillis: defaultPipelineOptions.retentionIntervalMillis,
      onError,
      log,
    });
    retention.start();
  }
  ready = true;

  async function stop(): Promise<void> {
    ready = false;
    closing.abort();
    if (server !== null) {
      const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(() => server!.closeAllConnections(), config.shutdownTimeoutMillis);
      await broker?.close();
      await closed;
      clearTimeout(force);
    }
    await retention?.stop();
    emergency?.stop();
    coalescer?.stop();
    await coalescer?.drain();
    ingestor?.close();
    await processing?.stop();
    await bus.close();
    await store.close();
    await shared.pool.end();
    await nats.drain();
  }

  let stopping: Promise<void> | undefined;
  return {
    httpPort: server === null ? null : (server.address() as AddressInfo).port,
    mqttPort: broker?.port ?? null,
    generatedAdminKey,
    processing,
    ingestor,
    stop: () => (stopping ??= stop()),
  };
}
