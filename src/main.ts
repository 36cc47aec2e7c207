import { describeError } from './core/describe-error.ts';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { nodeSecrets } from './adapters/crypto/secrets.ts';
import { DuckDbBackups } from './adapters/duckdb/backup.ts';
import { watchDatabase, type DatabaseWatch } from './adapters/duckdb/database-watch.ts';
import { DuckDbKeyStore } from './adapters/duckdb/keys-store.ts';
import { DuckDbMaintenanceRepository } from './adapters/duckdb/maintenance-repository.ts';
import { DetectorSnapshotFile, snapshotPathIn } from './adapters/files/detector-snapshot-file.ts';
import { DuckDbAmbulanceTrips } from './adapters/duckdb/ambulance-trips.ts';
import { DuckDbPatientQueues } from './adapters/duckdb/patient-queues.ts';
import { DuckDbRegistry } from './adapters/duckdb/registry-store.ts';
import type { MountedRoutes } from './adapters/http/app.ts';
import { createApp } from './adapters/http/app.ts';
import { connectionDrain } from './adapters/http/connection-drain.ts';
import { Metrics } from './adapters/http/metrics.ts';
import { listen } from './adapters/http/server.ts';
import { backupRoutes } from './adapters/http/routes/backups.ts';
import { cityRoutes } from './adapters/http/routes/city.ts';
import {
  type EmergencyVehicleSender,
  trafficEmergencyRoutes,
} from './adapters/http/routes/traffic-emergency.ts';
import { emergencyRoutes } from './adapters/http/routes/emergency.ts';
import { maintenanceRoutes } from './adapters/http/routes/maintenance.ts';
import { noDetectorRoutes } from './adapters/http/routes/processor-only.ts';
import { meRoutes } from './adapters/http/routes/me.ts';
import { MemoryBus } from './adapters/memory/bus.ts';
import { MemoryKeyStore } from './adapters/memory/keys.ts';
import { MemoryMaintenanceRepository } from './adapters/memory/maintenance-repository.ts';
import { MemoryAmbulanceTrips } from './adapters/memory/ambulance-trips.ts';
import { MemoryPatientQueues } from './adapters/memory/patient-queues.ts';
import { MemoryReadings } from './adapters/memory/readings.ts';
import { MemoryRegistry } from './adapters/memory/registry.ts';
import { startBroker } from './adapters/mqtt/broker.ts';
import { Coalescer } from './adapters/mqtt/coalescer.ts';
import { persistentClientId } from './adapters/mqtt/client-id.ts';
import { startSubscriber } from './adapters/mqtt/subscriber.ts';
import { brokerListen, retentionPolicy, storeMemoryLimit, type Config } from './config.ts';
import { findDetector } from './core/anomaly/registry.ts';
import { shippedModel } from './core/triage/shipped-model.ts';
import type { MessageBus } from './ports/bus.ts';
import type { Ingestor } from './ports/ingest.ts';
import type { KeyStore } from './ports/keys.ts';
import type { DetectorStateStore, MaintenanceRepository } from './ports/maintenance.ts';
import type { AmbulanceTripStore } from './ports/ambulance-trips.ts';
import type { PatientQueueStore } from './ports/patient-queues.ts';
import type { ReadingQueries } from './ports/reading-queries.ts';
import type { ReadingHistory } from './ports/reading-store.ts';
import type { Registry } from './ports/registry.ts';
import { KeyService } from './services/auth/keys.ts';
import type { CityViews } from './services/demo/views.ts';
import { DetectionService, verdictsOnly } from './services/detection/detection-service.ts';
import { unknownSensor } from './core/registry/asset.ts';
import { WorkerScoring } from './adapters/worker/worker-scoring.ts';
import { InProcessScoring } from './services/detection/in-process-scoring.ts';
import { openSpillIn, removeLeftSpills } from './adapters/files/state-spill-file.ts';
import { EmergencyService } from './services/emergency/emergency-service.ts';
import { coreParsers } from './services/edge/core-parsers.ts';
import { EdgeIngest } from './services/edge/edge-ingest.ts';
import { createEmbeddedStorage } from './services/ingest/embedded.ts';
import type { LiveTrafficStats } from './services/traffic/live-traffic.ts';
import type { PipelineStats } from './services/ingest/pipeline.ts';
import { ReadingQueryService } from './services/query/reading-query-service.ts';

/** The store as the composition root sees it: the ports plus its lifecycle. */
export interface Storage {
  ingestor: Ingestor;
  queries: ReadingQueries;
  /** Raw readings read back in bulk: the detectors catch up with them at start. */
  history?: ReadingHistory;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
  /** False while readings cannot be made durable (the write-ahead log cannot be written). */
  writable?(): boolean;
  /** New ingest calls are refused as shutting down; calls already accepted finish. */
  stopAccepting?(): void;
  /** Counters of the ingest pipeline, for `/metrics`. */
  stats?(): PipelineStats;
}

/** What a caller such as `urban-brain demo` may add to the platform. */
export interface PlatformExtensions {
  /** Views behind `/api/v1/map` and `/traffic` (`/hospitals` is the emergency service's). */
  city?: () => CityViews | null;
  /** The live traffic district behind `POST /api/v1/traffic/emergency-vehicles`. */
  emergencyVehicles?: () => EmergencyVehicleSender | null;
  /** The live traffic district's counters, for `/metrics`. */
  trafficStats?: () => LiveTrafficStats | null;
}

export interface Platform {
  httpPort: number;
  /** Port of the embedded broker; null when subscribed to an external one. */
  mqttPort: number | null;
  /** Set only when the first admin key was generated at this start. */
  generatedAdminKey: string | null;
  /** Accepts readings as the HTTP and MQTT edges do (for in-process producers such as the demo). */
  edge: EdgeIngest;
  bus: MessageBus;
  registry: Registry;
  keys: KeyService;
  /** Stops accepting, finishes in-flight work, flushes and closes everything. Idempotent. */
  stop(): Promise<void>;
  /**
   * Resolves if the platform's database can no longer be used (DuckDB invalidated it after a fatal
   * error): nothing can be stored or read until a new process opens it, so the caller should exit
   * without a stop. Acknowledged readings are in the write-ahead log. Never resolves otherwise.
   */
  lost: Promise<Error>;
}

interface Stores {
  storage: Storage;
  registry: Registry;
  keyStore: KeyStore;
  maintenance: MaintenanceRepository;
  /** Where the detectors' states are saved, so a restart resumes instead of learning from zero. */
  states: DetectorStateStore;
  patientQueues: PatientQueueStore;
  ambulanceTrips: AmbulanceTripStore;
  /** Online copies of the DuckDB file (the embedded default only). */
  backups?: DuckDbBackups;
  /** Tells when DuckDB invalidated the database (the embedded default only). */
  watch?: DatabaseWatch;
}

function memoryStores(): Stores {
  const readings = new MemoryReadings();
  const storage = {
    ingestor: readings,
    queries: new ReadingQueryService(readings.store),
    forceFlush: async () => undefined,
    shutdown: () => readings.shutdown(),
  };
  const maintenance = new MemoryMaintenanceRepository();
  return {
    storage,
    registry: new MemoryRegistry(),
    keyStore: new MemoryKeyStore(),
    maintenance,
    states: maintenance,
    patientQueues: new MemoryPatientQueues(),
    ambulanceTrips: new MemoryAmbulanceTrips(),
  };
}

/** The embedded default: one DuckDB file (readings, registry, keys, maintenance), a write-ahead log and the detectors' states in `dataDir`. */
async function openStores(config: Config, log: (line: string) => void): Promise<Stores> {
  if (config.memory) return memoryStores();
  const storage = await createEmbeddedStorage({
    dataDir: config.dataDir,
    memoryLimitMegabytes: storeMemoryLimit(config),
    skipCorruptWal: config.walSkipCorrupt,
    pipeline: { retention: retentionPolicy(config) },
    log,
  });
  if (storage.recovered.readings > 0 || storage.recovered.tornBytes > 0) {
    const { readings, tornBytes } = storage.recovered;
    log(`recovered ${readings} readings from the write-ahead log (${tornBytes} torn bytes dropped)`);
  }
  for (const { segment, offset, bytes, reason, keptAs } of storage.recovered.skipped)
    log(
      `--wal-skip-corrupt: skipped ${bytes} bytes at byte ${offset} of ${segment} (${reason}); kept as ${keptAs}`,
    );
  const registry = await DuckDbRegistry.open(storage.database, {
    onError: (error) => log(`registering new sensors failed: ${describeError(error)}`),
  });
  // New sensors are registered a moment after their readings are acknowledged: after a crash, the
  // readings recovered from the log register the sensors the crash left unregistered.
  if (config.unknownSensors === 'auto-register') {
    const missing = storage.recovered.sensors.filter((id) => !registry.hasSensor(id));
    if (missing.length > 0) {
      await registry.addMissingSensors(missing.map(unknownSensor));
      log(`registered ${missing.length} sensors of recovered readings`);
    }
  }
  const keyStore = await DuckDbKeyStore.open(storage.database);
  const maintenance = await DuckDbMaintenanceRepository.open(storage.database);
  const patientQueues = await DuckDbPatientQueues.open(storage.database);
  const ambulanceTrips = await DuckDbAmbulanceTrips.open(storage.database);
  // States saved by an earlier version in the database are read until the file's first snapshot.
  const statesPath = snapshotPathIn(config.dataDir);
  const states = new DetectorSnapshotFile(statesPath, maintenance);
  const backups = await DuckDbBackups.open({
    database: storage.database,
    directory: join(config.dataDir, 'backups'),
    files: [statesPath],
    ...(config.backupKeep === null ? {} : { keep: config.backupKeep }),
    // Sensors are auto-registered a moment after their readings are acknowledged.
    flush: async () => {
      await storage.forceFlush();
      await registry.flush();
    },
  });
  const watch = await watchDatabase(storage.database);
  return { storage, registry, keyStore, maintenance, states, patientQueues, ambulanceTrips, backups, watch };
}

/** Failure prediction: a detector on every accepted reading, raising alerts and work orders. */
async function startDetection(config: Config, stores: Stores, bus: MessageBus, log: (line: string) => void) {
  const detector = config.detector === 'none' ? undefined : findDetector(config.detector);
  if (detector === undefined) return undefined;
  // Spill files of a process that did not close them hold nothing anyone needs.
  if (!config.memory) removeLeftSpills(config.dataDir);
  const detection = new DetectionService({
    bus,
    repository: stores.maintenance,
    states: stores.states,
    registry: stores.registry,
    detector,
    learningSpanMillis: config.learningSpanMillis,
    snapshotIntervalMillis: config.detectorSnapshotMillis,
    progress: log,
    // Beyond the budget, states wait in a file in the data folder (in memory alone: no budget).
    ...(config.memory
      ? {}
      : {
          stateMemoryBytes: config.detectorMemoryMegabytes * 1_048_576,
          spillFolder: config.dataDir,
        }),
    engine:
      config.detectionThread === 'worker'
        ? (options) => new WorkerScoring(options)
        : (options) =>
            new InProcessScoring(
              options,
              options.spillFolder === undefined ? undefined : openSpillIn(options.spillFolder),
            ),
    ...(stores.storage.history === undefined
      ? {}
      : { history: stores.storage.history, flushHistory: () => stores.storage.forceFlush() }),
    onError: (error) => log(`failure prediction: ${describeError(error)}`),
  });
  // Before ingest opens: the stored readings the detectors had not scored when the process stopped.
  const { caughtUp } = await detection.start();
  if (caughtUp !== undefined && caughtUp.readings + caughtUp.beyondCap > 0) {
    const { readings, sensors, beyondCap, millis } = caughtUp;
    const cap = beyondCap > 0 ? `; ${beyondCap} older readings left unscored (over the catch-up cap)` : '';
    log(
      `failure prediction: caught up with ${readings} stored readings of ${sensors} sensors not scored ` +
        `before the last stop, in ${(millis / 1000).toFixed(1)} s${cap}`,
    );
  }
  return detection;
}

/** Composition root: config → adapters → services → start. A failed start closes what it opened. */
export async function startPlatform(
  config: Config,
  log: (line: string) => void,
  extensions: PlatformExtensions = {},
): Promise<Platform> {
  const stores = await openStores(config, log);
  const undo: (() => Promise<void>)[] = [() => stores.storage.shutdown(), async () => stores.watch?.stop()];
  try {
    return await assemble(config, log, extensions, stores, undo);
  } catch (error) {
    for (const step of undo.reverse()) await step().catch(() => undefined);
    throw error;
  }
}

async function assemble(
  config: Config,
  log: (line: string) => void,
  extensions: PlatformExtensions,
  stores: Stores,
  undo: (() => Promise<void>)[],
): Promise<Platform> {
  const { storage, registry, keyStore } = stores;
  const keys = new KeyService(keyStore, nodeSecrets);
  const bootstrap = await keys.bootstrapAdmin(config.adminKey);
  const bus = new MemoryBus({
    onHandlerError: (error) => log(`bus handler failed: ${describeError(error)}`),
  });
  const metrics = new Metrics({ processMetrics: true });
  const parsers = coreParsers({ maxFutureMillis: config.maxFutureMillis });
  const policy = config.unknownSensors;
  const detection = await startDetection(config, stores, bus, log);
  if (detection !== undefined) {
    undo.push(() => detection.shutdown());
    metrics.watchDetection(detection);
  }
  const edge = new EdgeIngest({
    ingestor: storage.ingestor,
    registry,
    bus,
    policy,
    observer: metrics,
    ...(detection !== undefined ? { downstream: detection } : {}),
  });

  const routes: MountedRoutes[] = [{ path: '/api/v1', app: meRoutes() }];
  if (stores.backups !== undefined) routes.push({ path: '/api/v1', app: backupRoutes(stores.backups) });
  if (detection !== undefined) {
    routes.push({
      path: '/api/v1',
      app: maintenanceRoutes({ repository: stores.maintenance, detection, registry }),
    });
  } else {
    // No detector: what is stored stays readable and open orders can be closed; nothing is scored.
    routes.push({ path: '/api/v1', app: noDetectorRoutes() });
    routes.push({
      path: '/api/v1',
      app: maintenanceRoutes({
        repository: stores.maintenance,
        detection: verdictsOnly({
          bus,
          repository: stores.maintenance,
          registry,
          onError: (error) => log(`recording a verdict: ${describeError(error)}`),
        }),
      }),
    });
  }
  // Mounted without a city too: their 404 says that none runs (rather than "no route").
  routes.push({ path: '/api/v1', app: cityRoutes(extensions.city ?? (() => null)) });
  routes.push({ path: '/api/v1', app: trafficEmergencyRoutes(extensions.emergencyVehicles ?? (() => null)) });
  const emergency = new EmergencyService({
    registry,
    bus,
    queues: stores.patientQueues,
    trips: stores.ambulanceTrips,
    model: shippedModel(),
    log,
    storedLatest: (sensors) => storage.queries.latest(sensors),
    maxOccupancyAgeMinutes: config.occupancyMaxAgeMinutes,
  });
  await emergency.start();
  undo.push(async () => emergency.stop());
  metrics.watchEmergency(emergency);
  if (extensions.trafficStats !== undefined) metrics.watchTraffic(extensions.trafficStats);
  routes.push({ path: '/api/v1', app: emergencyRoutes(emergency) });

  const coalescer = new Coalescer({ edge, log });
  const broker =
    config.mqttUrl === null ? await startBroker({ ...brokerListen(config), coalescer, parsers, keys }) : null;
  // A data directory keeps the client id, so a restart resumes the broker's sessions (see startSubscriber).
  const clientId =
    broker !== null || config.memory ? {} : { clientId: await persistentClientId(config.dataDir) };
  const mqtt =
    broker ??
    (await startSubscriber({
      url: config.mqttUrl!,
      coalescer,
      parsers,
      log,
      sessionExpirySeconds: config.mqttSessionExpiryHours * 3_600,
      ...clientId,
    }));
  undo.push(() => mqtt.close());

  const closing = new AbortController();
  let ready = false;
  const app = createApp({
    edge,
    parsers,
    registry,
    queries: storage.queries,
    keys,
    bus,
    metrics,
    bodyLimitBytes: config.bodyLimitBytes,
    // Not ready while starting, stopping, or while the write-ahead log cannot be written.
    isReady: () => ready && (storage.writable?.() ?? true),
    closing: closing.signal,
    streams: { maxTotal: config.maxStreams, maxPerKey: config.maxStreamsPerKey },
    routes,
    log,
  });
  const server = await listen(app.fetch, config);
  const drain = connectionDrain(server);
  if (storage.stats !== undefined) metrics.watchIngestPipeline({ stats: storage.stats });
  ready = true;

  async function stop(): Promise<void> {
    ready = false;
    stores.watch?.stop();
    // From here ingest answers 503 with Retry-After; calls already accepted finish and are acknowledged.
    storage.stopAccepting?.();
    closing.abort();
    const httpClosed = drain.close(config.shutdownTimeoutMillis);
    await mqtt.close();
    await httpClosed;
    await stores.backups?.stop();
    coalescer.stop();
    await coalescer.drain();
    // Bus handlers run on the next turn; let them see the last batches before detection stops.
    await new Promise((resolve) => setImmediate(resolve));
    // The largest writes of a stop one after the other, so that their memory is not held at once
    // (a million sensors' stop went over 1 GiB with them side by side): a periodic save of the
    // detectors' states that is running, the readings still buffered for the store, the states.
    // A failed flush is tried again by `shutdown`, which closes the store in any case and rejects
    // (exit code 1) if the readings could still not be written.
    // Alerts are written before the states are saved: after a storm (about 40 a second on the
    // embedded store) the stop says why it takes long.
    const pendingAlerts = detection?.status().pendingAlerts ?? 0;
    if (pendingAlerts > 0)
      log(`stopping: ${pendingAlerts.toLocaleString('en-US')} alerts still to record first`);
    await detection?.stopSnapshots();
    await storage.forceFlush().catch(() => undefined);
    await detection?.shutdown();
    await registry.close();
    await keyStore.close();
    await bus.close();
    // Last, with no other writer left (a checkpoint fails while another transaction is open):
    // `shutdown` flushes and checkpoints once more.
    await storage.shutdown();
  }

  let stopping: Promise<void> | undefined;
  return {
    httpPort: (server.address() as AddressInfo).port,
    mqttPort: broker?.port ?? null,
    generatedAdminKey: bootstrap.kind === 'generated' ? bootstrap.secret : null,
    edge,
    bus,
    registry,
    keys,
    stop: () => (stopping ??= stop()),
    lost: stores.watch?.lost ?? new Promise<Error>(() => undefined),
  };
}
