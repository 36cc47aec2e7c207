import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DEFAULT_DETECTOR_NAME, DETECTORS, LEARNING_SPAN_MILLIS } from './core/anomaly/registry.ts';
import { decimalNumber, wholeNumber } from './config-numbers.ts';
import { redactUrls } from './core/redact.ts';

/** Everything `serve` can be told, validated. The only module that reads `process.env` and flags. */
export interface Config {
  host: string;
  port: number;
  mqttPort: number;
  /** When set, readings come from this external broker instead of the embedded one. */
  mqttUrl: string | null;
  /** How long the external broker keeps this server's sessions, and the messages queued in them, while it is gone. */
  mqttSessionExpiryHours: number;
  dataDir: string;
  unknownSensors: 'auto-register' | 'reject';
  /** Secret of the first admin key; generated at first start when absent. */
  adminKey: string | null;
  bodyLimitBytes: number;
  /** Readings with a timestamp further than this ahead of the clock are refused. */
  maxFutureMillis: number;
  /** Grace period for in-flight requests at shutdown before connections are cut. */
  shutdownTimeoutMillis: number;
  /** HTTP connections open at once; more are closed as they arrive. */
  maxConnections: number;
  /** Connections to the embedded MQTT broker open at once; more are closed as they arrive. */
  mqttMaxConnections: number;
  /** Time an HTTP client has to send a request's headers (408 after it). */
  headersTimeoutMillis: number;
  /** Time an HTTP client has to send a whole request, body included (408 after it). */
  requestTimeoutMillis: number;
  /** Live streams (`/api/v1/stream`) open at once, in all and per API key (429 beyond them). */
  maxStreams: number;
  maxStreamsPerKey: number;
  /** DuckDB's memory limit in MB (null: a sixteenth of the memory target, see `storeMemoryLimit`). */
  storeMemoryMegabytes: number | null;
  /**
   * Memory the detectors' states may take in MB; beyond it the states of the sensors least recently
   * read wait in a file in the data folder and are read back at their next reading.
   */
  detectorMemoryMegabytes: number;
  /** How often the detectors' changed states are saved (a crash re-scores the readings since). */
  detectorSnapshotMillis: number;
  /** How far (%) the JavaScript heap may grow past its live size before a full collection (null: V8's own). */
  heapGrowthPercent: number | null;
  /** Resident memory the JavaScript heaps are paced to keep under (tightly from three quarters of it). */
  memoryTargetMegabytes: number;
  /** Use in-memory stores (nothing written to disk): for the demo and tests. */
  memory: boolean;
  /** Start on a write-ahead log damaged in the middle: keep the damaged segments aside, replay the rest. */
  walSkipCorrupt: boolean;
  /** Anomaly detector run on every accepted reading (failure prediction), or 'none'. */
  detector: string;
  /** Where the detectors run: `worker`, a thread of their own (default), or `main`, the ingest thread. */
  detectionThread: 'worker' | 'main';
  /** How long a new sensor is watched before it may raise alerts (`--learning-hours`, default three days). */
  learningSpanMillis: number;
  /** `auto`: start the demo city when the data folder is empty, or resume it on the folder it filled. */
  demo: 'auto' | 'off';
  /** Days each resolution is kept: raw readings, 1-minute and 1-hour rollups (null: for ever). */
  rawRetentionDays: number;
  minuteRetentionDays: number;
  hourRetentionDays: number | null;
  /** An emergency department's occupancy reading older than this no longer counts (its load is unknown). */
  occupancyMaxAgeMinutes: number;
  /** Backups kept: after a backup, the oldest beyond this many are deleted (null: every one is kept). */
  backupKeep: number | null;
}

/** DuckDB's memory limit in MB: as set, else a sixteenth of the memory target and at least 64. */
export function storeMemoryLimit(
  config: Pick<Config, 'storeMemoryMegabytes' | 'memoryTargetMegabytes'>,
): number {
  return config.storeMemoryMegabytes ?? Math.max(64, Math.floor(config.memoryTargetMegabytes / 16));
}

const port = wholeNumber(0, 65535);

const fields = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: port.default(8080),
  mqttPort: port.default(1883),
  mqttUrl: z
    .string()
    .regex(/^(mqtts?|wss?|tcp):\/\//, 'must start with mqtt://, mqtts://, ws://, wss:// or tcp://')
    .nullable()
    .default(null),
  // The MQTT 5 Session Expiry Interval is a 32-bit count of seconds.
  mqttSessionExpiryHours: wholeNumber(1, 1_193_046).default(24),
  dataDir: z.string().min(1).default('./data'),
  unknownSensors: z.enum(['auto-register', 'reject']).default('auto-register'),
  adminKey: z.string().min(16, 'must be at least 16 characters').nullable().default(null),
  bodyLimitBytes: wholeNumber(1).default(16 * 1024 * 1024),
  maxFutureMillis: wholeNumber(0).default(86_400_000),
  shutdownTimeoutMillis: wholeNumber(1).default(10_000),
  maxConnections: wholeNumber(1).default(1_024),
  mqttMaxConnections: wholeNumber(1).default(10_000),
  headersTimeoutMillis: wholeNumber(1_000).default(10_000),
  requestTimeoutMillis: wholeNumber(1_000).default(120_000),
  maxStreams: wholeNumber(1).default(256),
  maxStreamsPerKey: wholeNumber(1).default(8),
  memory: z.boolean().default(false),
  walSkipCorrupt: z.boolean().default(false),
  storeMemoryMegabytes: wholeNumber(64).nullable().default(null),
  heapGrowthPercent: wholeNumber(10, 300).nullable().default(null),
  memoryTargetMegabytes: wholeNumber(256).default(1024),
  detectorMemoryMegabytes: wholeNumber(8).default(128),
  detectorSnapshotMillis: wholeNumber(1, 86_400)
    .default(300)
    .transform((seconds) => seconds * 1_000),
  rawRetentionDays: wholeNumber(1, 36_500).default(30),
  minuteRetentionDays: wholeNumber(1, 36_500).default(365),
  hourRetentionDays: wholeNumber(1, 36_500).nullable().default(null),
  detector: z
    .string()
    .refine(
      (name) => name === 'none' || DETECTORS.has(name),
      `must be none or one of ${[...DETECTORS.keys()].join(', ')}`,
    )
    .default(DEFAULT_DETECTOR_NAME),
  detectionThread: z.enum(['worker', 'main']).default('worker'),
  learningSpanMillis: decimalNumber(0, 8_760)
    .default(LEARNING_SPAN_MILLIS / 3_600_000)
    .transform((hours) => hours * 3_600_000),
  demo: z.enum(['auto', 'off']).default('off'),
  occupancyMaxAgeMinutes: wholeNumber(1, 10_080).default(30),
  backupKeep: wholeNumber(1, 100_000).nullable().default(null),
});

const schema = fields.superRefine((config, context) => {
  // Node refuses a server whose header deadline is later than its request deadline.
  if (config.headersTimeoutMillis > config.requestTimeoutMillis)
    context.addIssue({
      code: 'custom',
      path: ['headersTimeoutMillis'],
      message: `must not exceed --request-timeout-millis (${config.requestTimeoutMillis})`,
    });
  // A coarser resolution is kept at least as long as a finer one: series fall back to it.
  if (config.minuteRetentionDays < config.rawRetentionDays)
    context.addIssue({
      code: 'custom',
      path: ['minuteRetentionDays'],
      message: `must be at least --raw-retention-days (${config.rawRetentionDays})`,
    });
  if (config.hourRetentionDays !== null && config.hourRetentionDays < config.minuteRetentionDays)
    context.addIssue({
      code: 'custom',
      path: ['hourRetentionDays'],
      message: `must be at least --minute-retention-days (${config.minuteRetentionDays})`,
    });
});

/** Flags and the environment variables standing in for them (flags win). */
export const configSources = {
  host: ['host', 'URBAN_BRAIN_HOST'],
  port: ['port', 'URBAN_BRAIN_PORT'],
  mqttPort: ['mqtt-port', 'URBAN_BRAIN_MQTT_PORT'],
  mqttUrl: ['mqtt-url', 'URBAN_BRAIN_MQTT_URL'],
  mqttSessionExpiryHours: ['mqtt-session-expiry-hours', 'URBAN_BRAIN_MQTT_SESSION_EXPIRY_HOURS'],
  dataDir: ['data-dir', 'URBAN_BRAIN_DATA_DIR'],
  unknownSensors: ['unknown-sensors', 'URBAN_BRAIN_UNKNOWN_SENSORS'],
  adminKey: [null, 'URBAN_BRAIN_ADMIN_KEY'],
  bodyLimitBytes: ['body-limit-bytes', 'URBAN_BRAIN_BODY_LIMIT_BYTES'],
  maxFutureMillis: ['max-future-millis', 'URBAN_BRAIN_MAX_FUTURE_MILLIS'],
  shutdownTimeoutMillis: ['shutdown-timeout-millis', 'URBAN_BRAIN_SHUTDOWN_TIMEOUT_MILLIS'],
  maxConnections: ['max-connections', 'URBAN_BRAIN_MAX_CONNECTIONS'],
  mqttMaxConnections: ['mqtt-max-connections', 'URBAN_BRAIN_MQTT_MAX_CONNECTIONS'],
  headersTimeoutMillis: ['headers-timeout-millis', 'URBAN_BRAIN_HEADERS_TIMEOUT_MILLIS'],
  requestTimeoutMillis: ['request-timeout-millis', 'URBAN_BRAIN_REQUEST_TIMEOUT_MILLIS'],
  maxStreams: ['max-streams', 'URBAN_BRAIN_MAX_STREAMS'],
  maxStreamsPerKey: ['max-streams-per-key', 'URBAN_BRAIN_MAX_STREAMS_PER_KEY'],
  detector: ['detector', 'URBAN_BRAIN_DETECTOR'],
  detectionThread: ['detection-thread', 'URBAN_BRAIN_DETECTION_THREAD'],
  learningSpanMillis: ['learning-hours', 'URBAN_BRAIN_LEARNING_HOURS'],
  storeMemoryMegabytes: ['store-memory-mb', 'URBAN_BRAIN_STORE_MEMORY_MB'],
  heapGrowthPercent: ['heap-growth-percent', 'URBAN_BRAIN_HEAP_GROWTH_PERCENT'],
  memoryTargetMegabytes: ['memory-target-mb', 'URBAN_BRAIN_MEMORY_TARGET_MB'],
  detectorMemoryMegabytes: ['detector-memory-mb', 'URBAN_BRAIN_DETECTOR_MEMORY_MB'],
  detectorSnapshotMillis: ['detector-snapshot-seconds', 'URBAN_BRAIN_DETECTOR_SNAPSHOT_SECONDS'],
  demo: ['demo', 'URBAN_BRAIN_DEMO'],
  rawRetentionDays: ['raw-retention-days', 'URBAN_BRAIN_RAW_RETENTION_DAYS'],
  minuteRetentionDays: ['minute-retention-days', 'URBAN_BRAIN_MINUTE_RETENTION_DAYS'],
  hourRetentionDays: ['hour-retention-days', 'URBAN_BRAIN_HOUR_RETENTION_DAYS'],
  occupancyMaxAgeMinutes: ['occupancy-max-age-minutes', 'URBAN_BRAIN_OCCUPANCY_MAX_AGE_MINUTES'],
  backupKeep: ['backup-keep', 'URBAN_BRAIN_BACKUP_KEEP'],
} as const;

export const configUsage = `usage: urban-brain serve [options]

  --port N                     HTTP port (URBAN_BRAIN_PORT, default 8080)
  --mqtt-port N                embedded MQTT broker port (URBAN_BRAIN_MQTT_PORT, default 1883)
  --mqtt-url URL               subscribe to an external broker instead: mqtt://, mqtts://, ws://,
                               wss:// or tcp:// (URBAN_BRAIN_MQTT_URL); --mqtt-port and
                               --mqtt-max-connections do not apply then
  --mqtt-session-expiry-hours N
                               hours the external broker keeps this server's sessions, with the QoS 1
                               messages queued for them, while it is stopped
                               (URBAN_BRAIN_MQTT_SESSION_EXPIRY_HOURS, default 24); see docs/api.md
  --data-dir DIR               data folder (URBAN_BRAIN_DATA_DIR, default ./data)
  --unknown-sensors POLICY     auto-register | reject (URBAN_BRAIN_UNKNOWN_SENSORS, default auto-register)
  --host HOST                  address to listen on (URBAN_BRAIN_HOST, default 127.0.0.1)
  --body-limit-bytes N         largest request body (URBAN_BRAIN_BODY_LIMIT_BYTES, default 16 MiB)
  --max-future-millis N        how far ahead of the clock a timestamp may be
                               (URBAN_BRAIN_MAX_FUTURE_MILLIS, default 86400000, one day)
  --shutdown-timeout-millis N  grace period at shutdown (URBAN_BRAIN_SHUTDOWN_TIMEOUT_MILLIS, default 10000)
  --max-connections N          HTTP connections open at once, more are closed
                               (URBAN_BRAIN_MAX_CONNECTIONS, default 1024)
  --mqtt-max-connections N     connections to the embedded MQTT broker open at once
                               (URBAN_BRAIN_MQTT_MAX_CONNECTIONS, default 10000)
  --headers-timeout-millis N   time a client has to send a request's headers, 408 after it
                               (URBAN_BRAIN_HEADERS_TIMEOUT_MILLIS, default 10000)
  --request-timeout-millis N   time a client has to send a whole request, body included
                               (URBAN_BRAIN_REQUEST_TIMEOUT_MILLIS, default 120000; raise it for large
                               bodies over slow links); live streams are not cut by it
  --max-streams N              live streams (/api/v1/stream) open at once, 429 beyond
                               (URBAN_BRAIN_MAX_STREAMS, default 256)
  --max-streams-per-key N      live streams open at once with one API key, 429 beyond
                               (URBAN_BRAIN_MAX_STREAMS_PER_KEY, default 8)
  --detector NAME              anomaly detector on every reading: ${[...DETECTORS.keys()].join(', ')},
                               or none: nothing is scored, so no new alerts (stored work orders
                               stay readable)
                               (URBAN_BRAIN_DETECTOR, default ${DEFAULT_DETECTOR_NAME})
  --detection-thread worker|main
                               where the detectors run: a thread of their own, so ingest is not held
                               up by them, or the ingest thread (URBAN_BRAIN_DETECTION_THREAD,
                               default worker)
  --detector-memory-mb N       memory the detectors' states may take (URBAN_BRAIN_DETECTOR_MEMORY_MB,
                               default 128, at least 8: about 104,000 sensors); the states of the
                               sensors least recently read wait beyond it in a file in the data folder
                               and are read back at their next reading (not with --memory)
  --detector-snapshot-seconds N
                               how often the detectors' changed states are saved
                               (URBAN_BRAIN_DETECTOR_SNAPSHOT_SECONDS, default 300, 1-86400); after a
                               crash the readings stored since are scored again
  --learning-hours N           hours a new sensor is watched before it may raise alerts, besides its
                               first 750 readings (URBAN_BRAIN_LEARNING_HOURS, default 72: three
                               daily cycles; the demo city divides it by its speed)
  --demo auto|off              auto: run the demo city when the data folder is empty, or resume it
                               on the folder it filled (URBAN_BRAIN_DEMO, default off; \`npm start\`
                               passes auto)
  --store-memory-mb N          DuckDB's memory limit (URBAN_BRAIN_STORE_MEMORY_MB, at least 64, default
                               a sixteenth of --memory-target-mb, at least 64); beyond it DuckDB
                               spills to disk
  --memory-target-mb N         resident memory the process is paced to keep under
                               (URBAN_BRAIN_MEMORY_TARGET_MB, default 1024, at least 256): from three
                               quarters of it the JavaScript heaps grow only 10 % past their live size
                               before a full collection; see docs/api.md
  --heap-growth-percent N      let the JavaScript heaps grow only N % past their live size before a full
                               collection, always (URBAN_BRAIN_HEAP_GROWTH_PERCENT, 10-300 %, default:
                               paced by --memory-target-mb): less memory, more CPU
  --raw-retention-days N       days raw readings are kept (URBAN_BRAIN_RAW_RETENTION_DAYS, default 30)
  --minute-retention-days N    days 1-minute rollups are kept, at least the raw days
                               (URBAN_BRAIN_MINUTE_RETENTION_DAYS, default 365)
  --hour-retention-days N      days 1-hour rollups are kept, at least the minute days
                               (URBAN_BRAIN_HOUR_RETENTION_DAYS, default: for ever)
  --occupancy-max-age-minutes N
                               an emergency department's occupancy reading older than this no longer
                               counts: its load is unknown, counted as full
                               (URBAN_BRAIN_OCCUPANCY_MAX_AGE_MINUTES, default 30, 1-10080)
  --backup-keep N              after each backup (POST /api/v1/backups), delete the oldest in
                               <data-dir>/backups beyond the newest N (URBAN_BRAIN_BACKUP_KEEP,
                               default: keep every one)
  --memory                     keep everything in memory (nothing is durable); --data-dir,
                               --backup-keep, --store-memory-mb, --detector-memory-mb and
                               --wal-skip-corrupt are refused with it
  --wal-skip-corrupt           start although the write-ahead log is damaged in the middle (not just
                               torn at its end): keep damaged segments in <data-dir>/wal-corrupt/,
                               replay what can be read of them and report what was skipped

The first admin key is read from URBAN_BRAIN_ADMIN_KEY, or generated and printed once at first start.
`;

export type ConfigResult = { ok: true; config: Config } | { ok: false; message: string } | { ok: 'help' };

export interface LoadOptions {
  /** Keep everything in memory unless a data folder is named (by flag or environment): the demo's default. */
  memoryWithoutDataDir?: boolean;
}

/** Settings that only concern the data folder (DuckDB's file, spills, backups), refused in memory. */
const diskOnly = ['dataDir', 'backupKeep', 'storeMemoryMegabytes', 'detectorMemoryMegabytes'] as const;

const memoryWithoutDataDirWhy =
  'nothing is written to disk without --data-dir (the demo keeps it all in memory)';

/** Reads flags (`args`) and the environment; never throws on bad input, it says what is wrong. */
export function loadConfig(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  load: LoadOptions = {},
): ConfigResult {
  const options: Record<string, { type: 'string' | 'boolean' }> = {
    help: { type: 'boolean' },
    memory: { type: 'boolean' },
    'wal-skip-corrupt': { type: 'boolean' },
  };
  for (const [flag] of Object.values(configSources)) if (flag !== null) options[flag] = { type: 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args, options, allowPositionals: false, strict: true }).values;
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
  if (values.help === true) return { ok: 'help' };
  // An empty variable counts as unset (a shell's `X=`); an empty flag is a mistake, not the default.
  const empty = Object.entries(values)
    .filter(([, value]) => value === '')
    .map(([flag]) => `--${flag} = "": give a value, or leave the flag out for its default`);
  if (empty.length > 0) return { ok: false, message: empty.join('\n') };
  const dataDirNamed = values['data-dir'] !== undefined || (env['URBAN_BRAIN_DATA_DIR'] ?? '') !== '';
  const raw: Record<string, unknown> = {
    memory: values.memory === true || (load.memoryWithoutDataDir === true && !dataDirNamed),
    walSkipCorrupt: values['wal-skip-corrupt'] === true,
  };
  for (const [key, [flag, variable]] of Object.entries(configSources)) {
    const fromFlag = flag === null ? undefined : values[flag];
    const value = fromFlag ?? env[variable];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success && parsed.data.mqttUrl !== null) {
    // The embedded broker does not run with an external one: its settings would be ignored silently.
    const unused = (['mqttPort', 'mqttMaxConnections'] as const).filter((key) => raw[key] !== undefined);
    const lines = unused.map((key) => {
      const [flag, variable] = configSources[key];
      return `--${flag} (${variable}) = ${JSON.stringify(raw[key])}: the embedded broker does not run with --mqtt-url`;
    });
    if (lines.length > 0) return { ok: false, message: lines.join('\n') };
  }
  // Nothing is written to disk in memory: settings about the disk would be ignored silently. Told
  // together with any other problem.
  const diskLines: string[] = [];
  if (raw['memory'] === true) {
    const why = values.memory === true ? 'nothing is written to disk with --memory' : memoryWithoutDataDirWhy;
    for (const key of diskOnly.filter((key) => raw[key] !== undefined)) {
      const [flag, variable] = configSources[key];
      diskLines.push(`--${flag} (${variable}) = ${JSON.stringify(raw[key])}: ${why}`);
    }
    if (values['wal-skip-corrupt'] === true) diskLines.push(`--wal-skip-corrupt: ${why}`);
  }
  if (parsed.success && diskLines.length > 0) return { ok: false, message: diskLines.join('\n') };
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0]) as keyof typeof configSources;
      const [flag, variable] = configSources[key] ?? [key, key];
      const name = flag === null ? variable : `--${flag} (${variable})`;
      // A rule between two options can fail on one left at its default: it has no value to show.
      const shown =
        key === 'adminKey'
          ? '(hidden)'
          : raw[key] === undefined
            ? '(default)'
            : redactUrls(JSON.stringify(raw[key]));
      return `${name} = ${shown}: ${issue.message}`;
    });
    return { ok: false, message: [...problems, ...diskLines].join('\n') };
  }
  return { ok: true, config: parsed.data };
}

/** The retention policy the configuration gives, in milliseconds. */
export function retentionPolicy(
  config: Pick<Config, 'rawRetentionDays' | 'minuteRetentionDays' | 'hourRetentionDays'>,
): {
  rawMillis: number;
  minuteMillis: number;
  hourMillis?: number;
} {
  const day = 86_400_000;
  return {
    rawMillis: config.rawRetentionDays * day,
    minuteMillis: config.minuteRetentionDays * day,
    ...(config.hourRetentionDays === null ? {} : { hourMillis: config.hourRetentionDays * day }),
  };
}

/** Where and how many connections the embedded MQTT broker takes, as configured. */
export function brokerListen(config: Pick<Config, 'host' | 'mqttPort' | 'mqttMaxConnections'>): {
  host: string;
  port: number;
  maxConnections: number;
} {
  return { host: config.host, port: config.mqttPort, maxConnections: config.mqttMaxConnections };
}
