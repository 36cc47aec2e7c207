import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { wholeNumber } from '../../config-numbers.ts';

export const clusterRoles = ['ingest', 'process', 'api', 'all'] as const;
export type ClusterRole = (typeof clusterRoles)[number];

/** How a process of a scaled-out deployment finds its engines and what it does. */
export interface ClusterConfig {
  role: ClusterRole;
  /** NATS servers (any of them; the client finds the rest). */
  natsUrls: string[];
  /** HTTP URL of each ClickHouse shard, in the order of `remote_servers`. */
  clickhouseUrls: string[];
  clickhouseCluster: string;
  clickhouseDatabase: string;
  /**
   * Keep a 1-minute rollup in ClickHouse too. Off by default: at one reading a minute per sensor
   * (the city this is sized for) it holds a row per reading and costs as much to insert and merge as
   * the raw table, and minute-step queries are answered from the raw table instead. Turn it on for
   * sensors that report many times a minute.
   */
  clickhouseMinuteRollup: boolean;
  postgresUrl: string;
  /** Sensor shards of the readings stream (fixed once the stream exists). */
  shards: number;
  /** JetStream replicas of the stream, leases and snapshots (1 or 3). */
  replicas: number;
  /** Unique id of this processor in the cluster. */
  member: string;
  leaseMillis: number;
  /**
   * How often a processor snapshots detector state and acknowledges what it handled. Each commit
   * writes every state changed since the last one, so a longer period writes fewer bytes per
   * reading; after a crash up to this much of the stream is read again (and checked against the
   * store before it is written).
   */
  commitIntervalMillis: number;
  /** Sensors a process keeps in its registry cache. */
  maxCachedSensors: number;
}

/** A comma-separated list of URLs whose scheme is one of `schemes` (the first in the message). */
function urlList(schemes: readonly string[], port: number) {
  const scheme = new RegExp(`^(${schemes.join('|')})://`);
  return z
    .string()
    .transform((text) =>
      text
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0),
    )
    .pipe(z.array(z.string().regex(scheme, `must be a URL like ${schemes[0]}://host:${port}`)).min(1));
}

/**
 * Unique without being given: in containers every process may be pid 1, so the host name (the pod
 * or container name) and a random suffix go in too.
 */
function defaultMember(): string {
  const host = hostname()
    .replace(/[^\w-]+/g, '-')
    .slice(0, 64);
  return `processor-${host}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** The rule a role breaks, in the words every refusal of one uses (with or without the engines). */
const roleRule = `must be one of ${clusterRoles.join(', ')}`;

const schema = z.object({
  role: z.enum(clusterRoles, { error: roleRule }).default('all'),
  natsUrls: urlList(['nats', 'tls'], 4222),
  clickhouseUrls: urlList(['http', 'https'], 8123),
  clickhouseCluster: z.string().regex(/^\w+$/).default('urban_brain'),
  clickhouseDatabase: z.string().regex(/^\w+$/).default('urban_brain'),
  clickhouseMinuteRollup: z
    .enum(['on', 'off'], { error: 'must be on or off' })
    .default('off')
    .transform((value) => value === 'on'),
  postgresUrl: z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres://'),
  shards: wholeNumber(1, 4096).default(16),
  replicas: wholeNumber(1, 5).default(1),
  member: z
    .string()
    .regex(/^[\w-]+$/, 'letters, digits, - and _ only')
    .default(defaultMember),
  leaseMillis: wholeNumber(1_000).default(10_000),
  commitIntervalMillis: wholeNumber(100).default(10_000),
  maxCachedSensors: wholeNumber(1).default(1_000_000),
});

export const clusterSources = {
  role: ['role', 'URBAN_BRAIN_ROLE'],
  natsUrls: ['nats-url', 'URBAN_BRAIN_NATS_URL'],
  clickhouseUrls: ['clickhouse-url', 'URBAN_BRAIN_CLICKHOUSE_URL'],
  clickhouseCluster: ['clickhouse-cluster', 'URBAN_BRAIN_CLICKHOUSE_CLUSTER'],
  clickhouseDatabase: ['clickhouse-database', 'URBAN_BRAIN_CLICKHOUSE_DATABASE'],
  clickhouseMinuteRollup: ['clickhouse-minute-rollup', 'URBAN_BRAIN_CLICKHOUSE_MINUTE_ROLLUP'],
  postgresUrl: ['postgres-url', 'URBAN_BRAIN_POSTGRES_URL'],
  shards: ['shards', 'URBAN_BRAIN_SHARDS'],
  replicas: ['replicas', 'URBAN_BRAIN_REPLICAS'],
  member: ['member', 'URBAN_BRAIN_MEMBER'],
  leaseMillis: ['lease-millis', 'URBAN_BRAIN_LEASE_MILLIS'],
  commitIntervalMillis: ['commit-interval-millis', 'URBAN_BRAIN_COMMIT_INTERVAL_MILLIS'],
  maxCachedSensors: ['max-cached-sensors', 'URBAN_BRAIN_MAX_CACHED_SENSORS'],
} as const;

export const clusterUsage = `scale-out options (all three URLs together switch from the embedded default):
  --role ingest|process|api|all  what this process does (URBAN_BRAIN_ROLE, default all)
  --nats-url URL[,URL…]          NATS JetStream servers (URBAN_BRAIN_NATS_URL)
  --clickhouse-url URL[,URL…]    HTTP URL of each ClickHouse shard (URBAN_BRAIN_CLICKHOUSE_URL)
  --clickhouse-cluster NAME      cluster in the shards' <remote_servers> (URBAN_BRAIN_CLICKHOUSE_CLUSTER,
                                 default urban_brain)
  --clickhouse-database NAME     database of the tables (URBAN_BRAIN_CLICKHOUSE_DATABASE, default
                                 urban_brain)
  --clickhouse-minute-rollup on|off
                                 also keep a 1-minute rollup in ClickHouse
                                 (URBAN_BRAIN_CLICKHOUSE_MINUTE_ROLLUP, default off: worth it only
                                 for sensors reporting many times a minute; minute steps are then
                                 answered from the raw readings)
  --postgres-url URL             PostgreSQL for registry, keys, alerts, work orders (URBAN_BRAIN_POSTGRES_URL)
  --shards N                     sensor shards of the readings stream (URBAN_BRAIN_SHARDS, default 16)
  --replicas N                   JetStream replicas (URBAN_BRAIN_REPLICAS, default 1; 3 on a 3-server
                                 cluster)
  --member ID                    processor id, unique in the cluster: a second live processor with
                                 the same id is refused (URBAN_BRAIN_MEMBER, default
                                 processor-<host>-<pid>-<random>)
  --lease-millis N               shard lease time (URBAN_BRAIN_LEASE_MILLIS, default 10000)
  --commit-interval-millis N     detector snapshot and acknowledgement period
                                 (URBAN_BRAIN_COMMIT_INTERVAL_MILLIS, default 10000)
  --max-cached-sensors N         registry cache per process (URBAN_BRAIN_MAX_CACHED_SENSORS, default
                                 1000000)
`;

export type ClusterConfigResult =
  { ok: true; config: ClusterConfig | null; rest: string[] } | { ok: false; message: string };

/**
 * Takes the scale-out flags out of `args` (the rest go to the embedded config). No NATS, ClickHouse
 * or PostgreSQL URL anywhere: `config` is null and the platform runs embedded exactly as before.
 */
export function loadClusterConfig(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): ClusterConfigResult {
  const flags = new Set<string>(Object.values(clusterSources).map(([flag]) => flag));
  const mine: string[] = [];
  const rest: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    const name = arg.startsWith('--') ? arg.slice(2).split('=')[0]! : '';
    if (!flags.has(name)) {
      rest.push(arg);
      continue;
    }
    mine.push(arg);
    if (!arg.includes('=') && index + 1 < args.length) mine.push(args[(index += 1)]!);
  }
  const options = Object.fromEntries([...flags].map((flag) => [flag, { type: 'string' as const }]));
  let values: Record<string, string | undefined>;
  try {
    values = parseArgs({ args: mine, options, strict: true, allowPositionals: false }).values as Record<
      string,
      string | undefined
    >;
  } catch (error) {
    // A flag given last without its value: parseArgs says which.
    return { ok: false, message: (error as Error).message };
  }
  const raw: Record<string, unknown> = {};
  for (const [key, [flag, variable]] of Object.entries(clusterSources)) {
    const value = values[flag] ?? env[variable];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  if (raw.natsUrls === undefined && raw.clickhouseUrls === undefined && raw.postgresUrl === undefined) {
    // A role that is none is told as such, not as one needing the engines.
    if (raw.role !== undefined && !(clusterRoles as readonly unknown[]).includes(raw.role))
      return {
        ok: false,
        message: `--role (URBAN_BRAIN_ROLE) = "${String(raw.role)}": ${roleRule}`,
      };
    if (raw.role !== undefined && raw.role !== 'all')
      return {
        ok: false,
        message: `--role ${String(raw.role)} needs --nats-url, --clickhouse-url and --postgres-url`,
      };
    // A scale-out flag given on the command line without the engines would be silently ignored.
    const given = Object.entries(clusterSources)
      .filter(([key, [flag]]) => values[flag] !== undefined && key !== 'role')
      .map(([, [flag]]) => `--${flag}`);
    if (given.length > 0)
      return {
        ok: false,
        message: `${given.join(', ')} ${given.length === 1 ? 'is a scale-out option: it needs' : 'are scale-out options: they need'} --nats-url, --clickhouse-url and --postgres-url (without them the platform runs embedded)`,
      };
    return { ok: true, config: null, rest };
  }
  const engines = (['natsUrls', 'clickhouseUrls', 'postgresUrl'] as const).filter(
    (key) => raw[key] === undefined,
  );
  if (engines.length > 0) {
    const missing = engines
      .map((key) => `--${clusterSources[key][0]} (${clusterSources[key][1]})`)
      .join(' and ');
    return {
      ok: false,
      message: `--nats-url, --clickhouse-url and --postgres-url go together: ${missing} ${engines.length === 1 ? 'is' : 'are'} missing`,
    };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0]) as keyof typeof clusterSources;
      const [flag, variable] = clusterSources[key] ?? [key, key];
      return `--${flag} (${variable}) = ${JSON.stringify(raw[key])}: ${issue.message}`;
    });
    return { ok: false, message: problems.join('\n') };
  }
  return { ok: true, config: parsed.data, rest };
}
