/**
 * Scale-out benchmark on the local cluster (3 NATS servers with JetStream replicas 3, 2 ClickHouse
 * shards, PostgreSQL, 2 ingest processes, API): for 1, 2 and 4 processing processes, streams
 * `--readings` readings of `--sensors` sensors through the ingest processes until every one is in
 * ClickHouse, and measures CPU seconds (user + system, from /proc) of every process by role. Also:
 * memory per sensor of a processor, ClickHouse bytes on disk per reading, and the fault test's
 * counts (from bench/results/faults.json, written by `npm run test:faults`).
 * One JSON line on stdout, also written to bench/results/scale.json; progress on stderr.
 *
 * Options: --readings N (default 3,000,000: about 10 s of load per run; a run of 1,000,000 lasts
 * 4–5 s, and what each run costs once whatever its length (its 20,000 new sensors' first
 * readings, the wait of the last joined insert, up to 2 s, the cluster's idle CPU over the 10 s
 * counted after the load for merges) then weighs as much as the rate; docs/scale.md gives both),
 * --sensors N (20,000), --processors 1,2,4, --batch N (5,000),
 * --concurrency N (6), --idle-seconds N (5: the cluster's idle CPU is measured this long before each
 * run), --node-flags=FLAGS (given to node for every role process), --process-node-flags=FLAGS (for
 * processors only, in place of the launcher's), --warmup-readings N (200,000 readings of --warmup-sensors N (2,000) sensors streamed and
 * stored before each run: reported as the cold figure, not counted in the run), --rounds N (3: the
 * processor counts are run in turn this many times, the order turned each round: 1, 2, 4, 2, 4, 1,
 * 4, 1, 2, …; each figure is the median of its rounds, so that one run disturbed by other work on
 * the machine does not decide it),
 * --profile-dir DIR (a V8 CPU profile of every role process, written at its exit).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { benchArguments } from './arguments.ts';
import { connect } from 'nats';
import type { KV, NatsConnection } from 'nats';
import { LocalCluster } from '../scripts/cluster/launcher.ts';
import { runLoad } from '../scripts/cluster/load.ts';
import { localTopology } from '../scripts/cluster/topology.ts';
import { storedCounts } from '../test/faults/checks.ts';
import { rssGrowthPerSensor } from './measures.ts';

const repository = resolve(import.meta.dirname, '..');
const { values } = benchArguments(import.meta.url, () =>
  parseArgs({
    options: {
      readings: { type: 'string', default: '3000000' },
      sensors: { type: 'string', default: '20000' },
      processors: { type: 'string', default: '1,2,4' },
      batch: { type: 'string', default: '5000' },
      concurrency: { type: 'string', default: '6' },
      'idle-seconds': { type: 'string', default: '5' },
      'warmup-readings': { type: 'string', default: '200000' },
      'warmup-sensors': { type: 'string', default: '2000' },
      'profile-dir': { type: 'string' },
      'node-flags': { type: 'string', default: '' },
      'process-node-flags': { type: 'string' },
      rounds: { type: 'string', default: '3' },
    },
  }),
);
const readings = Number(values.readings);
const sensors = Number(values.sensors);
const processorCounts = values.processors.split(',').map(Number);
const idleSeconds = Number(values['idle-seconds']);
const warmupReadings = Number(values['warmup-readings']);
const warmupSensors = Number(values['warmup-sensors']);
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1)
  throw new RangeError(`--rounds must be a positive integer, got ${values.rounds}`);

/** The middle value (the mean of the two middle ones for an even count). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function log(line: string): void {
  process.stderr.write(`scale: ${line}\n`);
}

const ticksPerSecond = 100;

/** User + system CPU seconds of a process and its children that were waited for. */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // fields[11..14]: utime stime cutime cstime (after the comm field)
    return (
      (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / ticksPerSecond
    );
  } catch {
    return 0;
  }
}

function rssBytes(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

function roleOf(name: string): string {
  return name.replace(/-\d+$/, '').replace('processor', 'process');
}

const pause = (millis: number): Promise<void> => new Promise((done) => setTimeout(done, millis));

const decoder = new TextDecoder();

/** Owner of each shard's lease now (undefined: free). */
async function shardOwners(kv: KV, shards: number): Promise<(string | undefined)[]> {
  return Promise.all(
    Array.from({ length: shards }, async (_, shard) => {
      const entry = await kv.get(`shard.${shard}`);
      return entry === null || entry.operation !== 'PUT' ? undefined : decoder.decode(entry.value);
    }),
  );
}

/**
 * Waits until every shard is held by one of `names`, none holds more than its fair share, and
 * nothing moved for two lease rounds (5 s): the take-overs are over before the clock starts.
 */
async function waitForSpread(kv: KV, shards: number, names: string[]): Promise<number> {
  const started = performance.now();
  const fair = Math.ceil(shards / names.length);
  let last = '';
  let stableSince = performance.now();
  for (;;) {
    const owners = await shardOwners(kv, shards);
    const counts = names.map((name) => owners.filter((owner) => owner === name).length);
    const spread =
      owners.every((owner) => owner !== undefined && names.includes(owner)) &&
      counts.every((count) => count <= fair);
    const now = JSON.stringify(owners);
    if (now !== last) stableSince = performance.now();
    last = now;
    if (spread && performance.now() - stableSince >= 5_000) return (performance.now() - started) / 1_000;
    if (performance.now() - started > 120_000) throw new Error(`shards did not spread: ${now}`);
    await pause(500);
  }
}

async function clickhouse(url: string, sql: string): Promise<string> {
  const response = await fetch(url, { method: 'POST', body: sql });
  return (await response.text()).trim();
}

/** ClickHouse's work so far, summed over every shard: insert queries, parts written, rows merged. */
async function clickhouseWork(
  urls: readonly string[],
): Promise<{ inserts: number; parts: number; mergedRows: number }> {
  const work = { inserts: 0, parts: 0, mergedRows: 0 };
  const names: Record<string, keyof typeof work> = {
    InsertQuery: 'inserts',
    MergeTreeDataWriterBlocks: 'parts',
    MergedRows: 'mergedRows',
  };
  for (const url of urls) {
    const rows = await clickhouse(
      url,
      `SELECT event, value FROM system.events WHERE event IN ('${Object.keys(names).join("', '")}')`,
    );
    for (const line of rows.split('\n')) {
      const [event, value] = line.split('\t');
      const name = event === undefined ? undefined : names[event];
      if (name !== undefined) work[name] += Number(value);
    }
  }
  return work;
}

const directory = '/tmp/urban-brain-scale-bench';
await rm(directory, { recursive: true, force: true });
await mkdir(directory, { recursive: true });
const topology = localTopology(directory, 22_000, 0);
const cluster = new LocalCluster(topology, {
  adminKey: randomBytes(24).toString('base64url'),
  detached: false,
  nodeFlags: [
    ...values['node-flags'].split(' ').filter((flag) => flag.length > 0),
    ...(values['profile-dir'] === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', values['profile-dir']]),
  ],
  ...(values['process-node-flags'] === undefined
    ? {}
    : { processNodeFlags: values['process-node-flags'].split(' ').filter((flag) => flag.length > 0) }),
});
const chUrl = `http://127.0.0.1:${topology.clickhouse[0]!.httpPort}/`;
/** One run's figures (more are recorded than typed here). */
interface RunFigures extends Record<string, unknown> {
  round: number;
  processors: number;
  /** False when not every acknowledged reading was stored within 600 s: its figures are null. */
  complete: boolean;
  cpu_s_per_million_readings: number | null;
  cpu_s_per_million_readings_less_idle: number | null;
  end_to_end_readings_per_s: number | null;
  end_to_end_readings_per_s_with_check: number | null;
  cold_cpu_s_per_million_readings: number | null;
}
const runs: RunFigures[] = [];
let memory: Record<string, number | null> = {};
let nats: NatsConnection | undefined;
try {
  await cluster.startEngines();
  nats = await connect({ servers: `127.0.0.1:${topology.nats[0]!.clientPort}` });
  // Read through the leader, as the processes read it (a lagging replica may answer a direct get).
  const leases = await nats.jetstream().views.kv('urban_brain_leases', { allow_direct: false });
  for (const spec of cluster.defaultRoles()) cluster.startRole(spec);
  for (const port of [topology.api.port, ...topology.ingest.map((node) => node.port)])
    await cluster.waitForHttp(port);
  /** RSS of the ingest processes together, bytes. */
  const ingestRssNow = (): number =>
    topology.ingest.reduce((total, node) => total + rssBytes(cluster.children.get(node.name)?.pid), 0);
  // Before any sensor: what the ingest processes hold whatever the number of sensors.
  const ingestRssBefore = ingestRssNow();
  let ingestSensorsMet = 0;
  /** CPU seconds of every process of ours and the engines (PostgreSQL aside) now, by process name. */
  const cpuNow = (): Map<string, number> =>
    new Map([...cluster.children].map(([name, child]) => [name, cpuSeconds(child.pid)]));
  const cpuSince = (before: Map<string, number>): Record<string, number> => {
    const byRole: Record<string, number> = {};
    for (const [name, child] of cluster.children) {
      if (name === 'postgres') continue;
      const role = roleOf(name);
      byRole[role] = (byRole[role] ?? 0) + cpuSeconds(child.pid) - (before.get(name) ?? 0);
    }
    return byRole;
  };
  const sum = (byRole: Record<string, number>): number =>
    Object.values(byRole).reduce((total, value) => total + value, 0);
  /** Streams readings of `prefix` and waits until every one acknowledged is in ClickHouse. */
  const streamStored = async (prefix: string, sensorCount: number, total: number, startMillis: number) => {
    const load = await runLoad({
      urls: topology.ingest.map((node) => `http://127.0.0.1:${node.port}`),
      key: cluster.adminKey,
      prefix,
      sensors: sensorCount,
      startMillis,
      stepMillis: 60_000,
      batchReadings: Number(values.batch),
      concurrency: Number(values.concurrency),
      totalReadings: total,
      prebuild: true,
    });
    // A cheap row count while waiting (the bench's own queries are ClickHouse CPU in the window
    // too), then the exact distinct count. The run ends when the exact count that finds every
    // reading starts: ClickHouse answers from the parts that exist when a query starts, so
    // everything was stored then; the time the check itself takes is the bench's, not the cluster's.
    let stored = { rows: 0, distinct: 0, inserted: 0 };
    let storedAt = performance.now();
    let checked = storedAt;
    let complete = false;
    while (performance.now() - load.startedMillis < 600_000) {
      const rows = Number(
        await clickhouse(chUrl, `SELECT count() FROM urban_brain.readings WHERE sensor LIKE '${prefix}-%'`),
      );
      if (rows >= load.acknowledged) {
        storedAt = performance.now();
        stored = await storedCounts(chUrl, 'urban_brain', prefix);
        checked = performance.now();
        if (stored.distinct >= load.acknowledged) {
          complete = true;
          break;
        }
      }
      await pause(250);
    }
    ingestSensorsMet += sensorCount;
    // Not everything acknowledged was stored within 600 s: no time, so no rate, for this run.
    if (!complete) log(`${prefix}: ${stored.distinct} of ${load.acknowledged} readings stored after 600 s`);
    return {
      load,
      stored,
      complete,
      seconds: complete ? (storedAt - load.startedMillis) / 1_000 : null,
      secondsWithCheck: complete ? (checked - load.startedMillis) / 1_000 : null,
    };
  };
  const perMillion = (cpu: number, count: number): number => Math.round((cpu / count) * 1e6 * 100) / 100;

  let generation = 0;
  // The order turns each round (1, 2, 4; 2, 4, 1; 4, 1, 2): every count runs once early and once
  // late, since the cluster keeps every earlier run's sensors, detector states and data.
  const order = Array.from({ length: rounds }, (_, round) => {
    const turn = round % processorCounts.length;
    return [...processorCounts.slice(turn), ...processorCounts.slice(0, turn)];
  }).flat();
  for (const count of order) {
    generation += 1;
    const names = Array.from({ length: count }, (_, index) => `processor-g${generation}-${index + 1}`);
    for (const name of names) cluster.startRole({ name, role: 'process', args: ['--member', name] });
    // Shards spread over the new processors (the old ones handed theirs over at SIGTERM).
    const spreadSeconds = await waitForSpread(leases, topology.shards, names);
    log(`${count} processing processes: shards spread after ${spreadSeconds.toFixed(1)} s`);
    // A day of its own per run: ClickHouse merges of one run's partitions do not land on the next.
    const day = Date.UTC(2026, 1, 1) + generation * 7 * 86_400_000;
    // Warm-up: new processes compile their hot paths (V8) and size their heaps on the first
    // readings. Measured and reported (`cold_cpu_s_per_million_readings`), but outside the run.
    let cold: number | null = null;
    if (warmupReadings > 0) {
      const before = cpuNow();
      const warm = await streamStored(`w${generation}`, warmupSensors, warmupReadings, day + 3 * 86_400_000);
      cold = warm.complete ? perMillion(sum(cpuSince(before)), warm.load.acknowledged) : null;
      log(
        `${count} processing processes: warm-up ${warm.load.acknowledged} readings, ${cold} CPU-s per million`,
      );
    }
    // Idle cost of the whole cluster with no load: what the window's idle share is made of.
    const idleBefore = cpuNow();
    const idleStarted = performance.now();
    await pause(idleSeconds * 1_000);
    const idleElapsed = (performance.now() - idleStarted) / 1_000;
    const idleByRole = Object.fromEntries(
      Object.entries(cpuSince(idleBefore)).map(([role, cpu]) => [role, cpu / idleElapsed]),
    );
    const idleTotal = sum(idleByRole);
    const rssBefore = names.reduce((total, name) => total + rssBytes(cluster.children.get(name)?.pid), 0);
    const clickhouseUrls = topology.clickhouse.map((node) => `http://127.0.0.1:${node.httpPort}/`);
    const workBefore = await clickhouseWork(clickhouseUrls);
    const cpuBefore = cpuNow();
    const prefix = `b${generation}`;
    const started = performance.now();
    // Monotonic microseconds, the clock of V8 CPU profiles: a profile can be cut to the window.
    const windowStart = process.hrtime.bigint() / 1_000n;
    log(
      `round ${Math.ceil(generation / processorCounts.length)} of ${rounds}: ${count} processing processes: streaming ${readings} readings of ${sensors} sensors`,
    );
    const { load, stored, complete, seconds, secondsWithCheck } = await streamStored(
      prefix,
      sensors,
      readings,
      day,
    );
    await pause(10_000); // background merges of what this run wrote are counted with it
    const windowSeconds = (performance.now() - started) / 1_000;
    log(`${count} processing processes: window ${windowStart}..${process.hrtime.bigint() / 1_000n} µs`);
    const cpuByRole = cpuSince(cpuBefore);
    const workAfter = await clickhouseWork(clickhouseUrls);
    const total = sum(cpuByRole);
    const rssAfter = names.reduce((sum, name) => sum + rssBytes(cluster.children.get(name)?.pid), 0);
    // Per reading acknowledged (what was sent and stored), not per reading asked for; a run whose
    // readings were not all stored within 600 s has no figures: its CPU did not buy them all.
    const acknowledged = load.acknowledged;
    const perRun = (value: number): number | null => (complete ? value : null);
    const run = {
      round: Math.ceil(generation / processorCounts.length),
      processors: count,
      complete,
      readings: acknowledged,
      stored: stored.distinct,
      duplicates: stored.inserted - stored.distinct,
      seconds: seconds === null ? null : Math.round(seconds * 10) / 10,
      end_to_end_readings_per_s: seconds === null ? null : Math.round(acknowledged / seconds),
      // The same with the bench's exact check counted (how this figure was measured before).
      end_to_end_readings_per_s_with_check:
        secondsWithCheck === null ? null : Math.round(acknowledged / secondsWithCheck),
      ingest_acknowledged_readings_per_s: Math.round(acknowledged / (load.elapsedMillis / 1_000)),
      cpu_s_per_million_readings: perRun(perMillion(total, acknowledged)),
      cpu_s_per_million_by_role: Object.fromEntries(
        Object.entries(cpuByRole).map(([role, cpu]) => [role, perRun(perMillion(cpu, acknowledged))]),
      ),
      // Not the target figure: the full one above less what the cluster burns idle over the window.
      window_seconds: Math.round(windowSeconds * 10) / 10,
      idle_cpu_s_per_s_by_role: Object.fromEntries(
        Object.entries(idleByRole).map(([role, cpu]) => [role, Math.round(cpu * 1_000) / 1_000]),
      ),
      cpu_s_per_million_readings_less_idle: perRun(
        perMillion(total - idleTotal * windowSeconds, acknowledged),
      ),
      processor_rss_growth_bytes_per_sensor: rssGrowthPerSensor(rssBefore, rssAfter, sensors),
      cold_cpu_s_per_million_readings: cold,
      shards_spread_seconds: Math.round(spreadSeconds * 10) / 10,
      // ClickHouse's work in the window: insert queries, parts written (raw and rollup tables), rows merged.
      clickhouse_inserts: workAfter.inserts - workBefore.inserts,
      clickhouse_parts_written: workAfter.parts - workBefore.parts,
      clickhouse_merged_rows: workAfter.mergedRows - workBefore.mergedRows,
    };
    log(JSON.stringify(run));
    runs.push(run);
    if (generation === 1)
      memory = { processor_rss_growth_bytes_per_sensor: run.processor_rss_growth_bytes_per_sensor };
    for (const name of names) await cluster.kill(name, 'SIGTERM');
  }
  // The ingest processes' RSS growth since before the first reading over every sensor id they met
  // (each run's and each warm-up's new sensors), summed over the ingest processes: their base
  // memory is not a per-sensor cost.
  const ingestRssAfter = ingestRssNow();
  memory = {
    ...memory,
    ingest_rss_before_bytes: ingestRssBefore,
    ingest_rss_after_bytes: ingestRssAfter,
    ingest_sensors_met: ingestSensorsMet,
  };
  const ingestGrowth = rssGrowthPerSensor(ingestRssBefore, ingestRssAfter, ingestSensorsMet);
  if (ingestGrowth !== null) memory.ingest_rss_growth_bytes_per_sensor = ingestGrowth;
  let rawBytes = 0;
  let rollupBytes = 0;
  let rawRows = 0;
  for (const node of topology.clickhouse) {
    await clickhouse(`http://127.0.0.1:${node.httpPort}/`, 'OPTIMIZE TABLE urban_brain.readings_local FINAL');
    const parts = await clickhouse(
      `http://127.0.0.1:${node.httpPort}/`,
      "SELECT sumIf(bytes_on_disk, table = 'readings_local'), sumIf(bytes_on_disk, table != 'readings_local'), " +
        "sumIf(rows, table = 'readings_local') FROM system.parts WHERE active AND database = 'urban_brain'",
    );
    const [raw, rollup, rows] = parts.split('\t').map(Number);
    rawBytes += raw ?? 0;
    rollupBytes += rollup ?? 0;
    rawRows += rows ?? 0;
  }
  const bytesPerReading = rawBytes / rawRows;
  const faults = await readFile(join(repository, 'bench/results/faults.json'), 'utf8').then(
    (text) => JSON.parse(text) as Record<string, unknown>,
    () => null,
  );
  const first = runs[0] as RunFigures;
  /** Per processor count, the median over the rounds of one figure of a run. */
  const medians = (figure: (run: RunFigures) => number | null): Record<string, number | null> =>
    Object.fromEntries(
      processorCounts.map((count) => {
        const values = runs
          .filter((run) => run.processors === count)
          .map(figure)
          .filter((value): value is number => value !== null);
        return [String(count), values.length === 0 ? null : Math.round(median(values) * 100) / 100];
      }),
    );
  /** Largest over smallest; null when a figure is missing (a spread over fewer counts looks better). */
  const ratio = (values: readonly (number | null)[]): number | null =>
    values.length === 0 || values.some((value) => value === null)
      ? null
      : Math.round((Math.max(...(values as number[])) / Math.min(...(values as number[]))) * 100) / 100;
  const cpu = medians((run) => run.cpu_s_per_million_readings);
  const result = {
    benchmark: 'scale',
    readings_per_run: readings,
    sensors,
    rounds,
    cpu_s_per_million_readings: cpu,
    cpu_spread_ratio: ratio(Object.values(cpu)),
    incomplete_runs: runs.filter((run) => !run.complete).length,
    cpu_spread_ratio_by_round: Array.from({ length: rounds }, (_, index) =>
      ratio(runs.filter((run) => run.round === index + 1).map((run) => run.cpu_s_per_million_readings)),
    ),
    cpu_target:
      'cpu_s_per_million_readings (medians over the rounds) within 20 % of each other (spread ratio at most 1.2)',
    cold_cpu_s_per_million_readings: medians((run) => run.cold_cpu_s_per_million_readings),
    cpu_s_per_million_readings_less_idle: medians((run) => run.cpu_s_per_million_readings_less_idle),
    end_to_end_readings_per_s: medians((run) => run.end_to_end_readings_per_s),
    end_to_end_definition:
      'readings acknowledged / seconds from the first batch sent (bodies built before) until the exact count that finds every reading starts',
    end_to_end_readings_per_s_with_check: medians((run) => run.end_to_end_readings_per_s_with_check),
    end_to_end_readings_per_s_by_run: runs.map((run) => ({
      round: run.round,
      processors: run.processors,
      readings_per_s: run.end_to_end_readings_per_s,
    })),
    runs,
    memory,
    clickhouse_raw_bytes_per_reading: Math.round(bytesPerReading * 100) / 100,
    clickhouse_rollup_bytes_per_reading: Math.round((rollupBytes / rawRows) * 100) / 100,
    clickhouse_raw_bytes_per_sensor_day: {
      one_per_minute: Math.round(bytesPerReading * 1_440),
      one_per_10_s: Math.round(bytesPerReading * 8_640),
    },
    faults,
    cpu_reference_first_run: first.cpu_s_per_million_readings,
    machine: '2 cores shared with other work; figures are noisy',
    measured_at: new Date().toISOString(),
  };
  const line = JSON.stringify(result);
  process.stdout.write(`${line}\n`);
  await mkdir(join(repository, 'bench/results'), { recursive: true });
  await writeFile(join(repository, 'bench/results/scale.json'), `${line}\n`);
} finally {
  await nats?.close();
  await cluster.stopAll().catch(() => undefined);
}
