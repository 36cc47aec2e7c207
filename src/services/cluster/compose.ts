import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'nats';
import type { NatsConnection } from 'nats';
import type pg from 'pg';
import { openLeaseBucket } from '../../adapters/nats/shard-leases.ts';
import { ClickHouseReadings } from '../../adapters/clickhouse/clickhouse-readings.ts';
import { nodeSecrets } from '../../adapters/crypto/secrets.ts';
import { createApp } from '../../adapters/http/app.ts';
import { connectionDrain } from '../../adapters/http/connection-drain.ts';
import type { ConnectionDrain } from '../../adapters/http/connection-drain.ts';
import type { MountedRoutes } from '../../adapters/http/app.ts';
import { Metrics } from '../../adapters/http/metrics.ts';
import { listen } from '../../adapters/http/server.ts';
import { emergencyRoutes } from '../../adapters/http/routes/emergency.ts';
import { maintenanceRoutes } from '../../adapters/http/routes/maintenance.ts';
import { meRoutes } from '../../adapters/http/routes/me.ts';
import { noDetectorRoutes, processorOnlyRoutes } from '../../adapters/http/routes/processor-only.ts';
import { clusterBackupRoutes } from '../../adapters/http/routes/backups.ts';
import { withEngineReadiness } from '../../adapters/http/readiness.ts';
import { startBroker } from '../../adapters/mqtt/broker.ts';
import type { RunningBroker } from '../../adapters/mqtt/broker.ts';
import { Coalescer } from '../../adapters/mqtt/coalescer.ts';
import { JetStreamIngestor } from '../../adapters/nats/jetstream-ingestor.ts';
import { NatsBus } from '../../adapters/nats/nats-bus.ts';
import { defaultLayout } from '../../adapters/nats/shards.ts';
import type { StreamLayout } from '../../adapters/nats/shards.ts';
import { checkStreamStoring, defaultStreamOptions, ensureReadingStream } from '../../adapters/nats/stream.ts';
import { PostgresKeyStore } from '../../adapters/postgres/keys-store.ts';
import { PostgresMaintenanceRepository } from '../../adapters/postgres/maintenance-repository.ts';
import { PostgresAmbulanceTrips } from '../../adapters/postgres/ambulance-trips.ts';
import { PostgresPatientQueues } from '../../adapters/postgres/patient-queues.ts';
import { openPool } from '../../adapters/postgres/pool.ts';
import { PostgresRegistry } from '../../adapters/postgres/registry.ts';
import { brokerListen, retentionPolicy, type Config } from '../../config.ts';
import { redactUrls } from '../../core/redact.ts';
import { findDetector } from '../../core/anomaly/registry.ts';
import { KeyService } from '../auth/keys.ts';
import { verdictsOnly } from '../detection/detection-service.ts';
import { coreParsers } from '../edge/core-parsers.ts';
import { EmergencyService } from '../emergency/emergency-service.ts';
import { shippedModel } from '../../core/triage/shipped-model.ts';
import { EdgeIngest } from '../edge/edge-ingest.ts';
import { defaultPipelineOptions } from '../ingest/pipeline-options.ts';
import type { ClusterConfig } from './cluster-config.ts';
import { CoalescingSink } from './coalescing-sink.ts';
import { isClickHouseAuthenticationFailure } from './engine-errors.ts';
import { EngineMonitor } from './engine-monitor.ts';
import { LogLimiter } from '../logging/log-limiter.ts';
import type { ErrorContext } from './shard-processor.ts';
import { StreamPieces } from '../../adapters/nats/snapshot-pieces.ts';
import { ProcessingRole } from './processing-role.ts';
import { RetentionTimer } from './retention-timer.ts';
import { retry } from './retry.ts';
import { ReadingQueryService } from '../query/reading-query-service.ts';
import { WarmedEdgeIngest } from './warmed-edge-ingest.ts';
import { describeError } from '../../core/describe-error.ts';

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
      if (isClickHouseAuthenticationFailure(error)) throw refusedByClickHouse(error);
      if (attempt % 10 === 1) log(`waiting for ClickHouse: ${String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}

/** A wrong ClickHouse user or password: no retry cures it, so the start fails. */
function refusedByClickHouse(error: unknown): Error {
  const reason = describeError(error).trim();
  return new Error(`ClickHouse refused the user or password of --clickhouse-url: ${reason}`, {
    cause: error,
  });
}

/** Says which engine a start-up step failed on (NATS's own errors are bare codes such as `503`). */
async function step<T>(what: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw new Error(`${what}: ${describeError(error)}`, { cause: error });
  }
}

async function connectShared(
  config: Config,
  cluster: ClusterConfig,
  log: (line: string) => void,
  undo: (() => Promise<unknown>)[],
): Promise<Shared> {
  const natsAt = `NATS at ${cluster.natsUrls.join(',')}`;
  const nats = await step(
    `could not connect to ${natsAt}`,
    connect({
      servers: cluster.natsUrls,
      name: `urban-brain-${cluster.role}-${process.pid}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      // Otherwise every JetStream publish builds an Error to keep the caller's stack for a timeout
      // message (about 5 % of an ingest process's CPU in the profile). A timeout still says what timed out.
      noAsyncTraces: true,
    }),
  );
  undo.push(() => nats.close());
  const layout = { ...defaultLayout, shards: cluster.shards };
  const manager = await nats.jetstreamManager({ timeout: 20_000 }).catch((error: unknown) => {
    // No responder to the JetStream API: the server runs without JetStream.
    if (String(error).includes('503'))
      throw new Error(`${natsAt} has no JetStream enabled (run nats-server with -js)`, { cause: error });
    throw new Error(`${natsAt}: JetStream: ${String(error)}`, { cause: error });
  });
  const stream = await retry(
    'readings stream',
    () => ensureReadingStream(manager, layout, { ...defaultStreamOptions, replicas: cluster.replicas }),
    log,
  );
  if (!stream.ok) throw new Error(stream.message);
  if (stream.adopted !== undefined)
    log(
      `the readings stream ${layout.stream} recorded no shard count: it now records ${stream.adopted} (--shards)`,
    );
  const pool = await step(`PostgreSQL at ${cluster.postgresUrl}`, openPool(cluster.postgresUrl));
  undo.push(() => pool.end());
  const onError = (error: unknown): void => log(`bus handler failed: ${String(error)}`);
  const needsSchema = cluster.role === 'process' || cluster.role === 'all';
  const store = needsSchema
    ? await openStore(cluster, log)
    : ClickHouseReadings.connect(storeOptions(cluster));
  undo.push(() => store.close());
  return {
    nats,
    pool,
    layout,
    bus: new NatsBus({ connection: nats, prefix: layout.prefix, onHandlerError: onError }),
    registry: new PostgresRegistry(pool, { maxCachedSensors: cluster.maxCachedSensors }),
    maintenance: new PostgresMaintenanceRepository(pool),
    store,
  };
}

/**
 * Composition of one scaled-out process: `ingest` (HTTP and MQTT edges onto JetStream), `process`
 * (shard leases, ClickHouse writes, detectors, alerts), `api` (queries, registry, keys, work orders,
 * live stream; it accepts readings too), or `all` of them. A failed start closes what it opened
 * (a NATS connection would otherwise reconnect for ever and keep the process alive).
 */
export async function startRole(
  config: Config,
  cluster: ClusterConfig,
  writeLog: (line: string) => void,
): Promise<RunningRole> {
  const undo: (() => Promise<unknown>)[] = [];
  try {
    return await assembleRole(config, cluster, writeLog, undo);
  } catch (error) {
    for (const close of undo.reverse()) await close().catch(() => undefined);
    throw error;
  }
}

async function assembleRole(
  config: Config,
  cluster: ClusterConfig,
  writeLog: (line: string) => void,
  undo: (() => Promise<unknown>)[],
): Promise<RunningRole> {
  // Errors of NATS, ClickHouse and PostgreSQL may name their URLs: logged without credentials.
  const log = (line: string): void => writeLog(redactUrls(line));
  const shared = await connectShared(config, cluster, log, undo);
  const { nats, layout, bus, registry, maintenance, store } = shared;
  const js = nats.jetstream({ timeout: 20_000 });
  const manager = await nats.jetstreamManager({ timeout: 20_000 });
  const detector = config.detector === 'none' ? undefined : findDetector(config.detector);
  // A ClickHouse that answers but refuses the credentials fails the start (one that is down does not).
  if (cluster.role === 'api')
    await store.ping().catch((error: unknown) => {
      if (isClickHouseAuthenticationFailure(error)) throw refusedByClickHouse(error);
    });
  // Engine outages: one line when an engine stops answering, one when it is back; `/healthz` reads it.
  // Its own manager: a probe left unanswered (no quorum) ends in 1.5 s, not the others' 20 s.
  const probing = await nats.jetstreamManager({ timeout: 1_500, checkAPI: false });
  const monitor = new EngineMonitor({
    role: cluster.role,
    nats,
    jetstream: { check: () => checkStreamStoring(probing, layout.stream) },
    clickhouse: store,
    postgres: shared.pool,
    log,
  });
  monitor.start();
  undo.push(() => monitor.stop());
  // Retried failures name where they happened; each distinct one is written at most once a minute.
  const limiter = new LogLimiter({ log, windowMillis: 60_000 });
  limiter.start();
  undo.push(async () => limiter.stop());
  const failed =
    (operation: string) =>
    (error: unknown): void =>
      limiter.write(`${operation}: ${String(error)}`);
  const onProcessingError = (error: unknown, context?: ErrorContext): void =>
    limiter.write(
      `${context?.operation ?? 'processing'}: ${String(error)}`,
      context?.shard === undefined ? undefined : `shard ${context.shard}`,
    );

  let processing: ProcessingRole | null = null;
  if (cluster.role === 'process' || cluster.role === 'all') {
    processing = new ProcessingRole({
      js,
      manager,
      layout,
      leasesKv: await retry(
        'shard leases bucket',
        () =>
          openLeaseBucket(js, 'urban_brain_leases', {
            leaseMillis: cluster.leaseMillis,
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
      onError: onProcessingError,
      log,
    });
    await processing.start();
    const started = processing;
    undo.push(() => started.stop());
  }

  let server: Server | null = null;
  let drain: ConnectionDrain | null = null;
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
      storing: () => !monitor.down().includes('jetstream'),
      onError: failed('publishing readings to JetStream'),
    });
    const metrics = new Metrics({ processMetrics: true });
    const parsers = coreParsers({ maxFutureMillis: config.maxFutureMillis });
    const edgeOptions = { ingestor, registry, bus, policy: config.unknownSensors, observer: metrics };
    // The registry cache holds only sensors this process met: under `reject`, each batch's sensors
    // are loaded from PostgreSQL first.
    const edge =
      config.unknownSensors === 'reject'
        ? new WarmedEdgeIngest({
            ...edgeOptions,
            warm: (ids) => registry.warm(ids),
            onError: failed('loading sensors from PostgreSQL'),
          })
        : new EdgeIngest(edgeOptions);
    const routes: MountedRoutes[] = [{ path: '/api/v1', app: meRoutes() }];
    // Verdicts only: detectors run in the processing role (with --detector none, in none; the
    // detector given here is never fed, and stored orders stay readable and can be closed).
    const detection = verdictsOnly({
      bus,
      repository: maintenance,
      registry,
      detector,
      onError: failed('recording a verdict'),
    });
    // Scores and the detection status are the processors' (per shard): said so, not a 404 or a 0.
    routes.push({
      path: '/api/v1',
      app: detector === undefined ? noDetectorRoutes() : processorOnlyRoutes(),
    });
    // Backups of the engines are theirs (pg_dump, ClickHouse's FREEZE or BACKUP): said so, not a 404.
    routes.push({ path: '/api/v1', app: clusterBackupRoutes() });
    routes.push({ path: '/api/v1', app: maintenanceRoutes({ repository: maintenance, detection }) });
    const queries = new ReadingQueryService(store);
    if (cluster.role === 'api' || cluster.role === 'all') {
      // Triage and emergency load: the queues are in PostgreSQL, shared by every API process, and
      // occupancy is the latest stored reading (the live readings are not taken in here).
      emergency = new EmergencyService({
        registry,
        bus,
        queues: new PostgresPatientQueues(shared.pool),
        trips: new PostgresAmbulanceTrips(shared.pool),
        model: shippedModel(),
        latestOccupancy: (sensors) => queries.latest(sensors),
        maxOccupancyAgeMinutes: config.occupancyMaxAgeMinutes,
        log,
      });
      await emergency.start();
      undo.push(async () => emergency?.stop());
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
      streams: { maxTotal: config.maxStreams, maxPerKey: config.maxStreamsPerKey },
      routes,
      log,
    });
    server = await listen(
      withEngineReadiness(app.fetch, () => monitor.down()),
      config,
    );
    const listening = server;
    drain = connectionDrain(listening);
    undo.push(() => new Promise((resolve) => listening.close(resolve)));
    if (cluster.role !== 'api') {
      // Through the role's log, as every other line: URL credentials hidden.
      coalescer = new Coalescer({ edge, log });
      broker = await startBroker({ ...brokerListen(config), coalescer, parsers, keys });
    }
  }
  // Retention drops whole days on every shard: the API processes do it (a second one finds
  // nothing left to drop).
  let retention: RetentionTimer | null = null;
  if (cluster.role === 'api' || cluster.role === 'all') {
    retention = new RetentionTimer({
      store,
      policy: retentionPolicy(config),
      intervalMillis: defaultPipelineOptions.retentionIntervalMillis,
      onError: failed('retention'),
      log,
    });
    retention.start();
  }
  ready = true;

  async function stop(): Promise<void> {
    ready = false;
    closing.abort();
    await monitor.stop();
    if (drain !== null) {
      // Busy keep-alive clients are told to close (and move to another ingest process) at once.
      const httpClosed = drain.close(config.shutdownTimeoutMillis);
      await broker?.close();
      await httpClosed;
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
    await monitor.closed();
    limiter.stop();
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
