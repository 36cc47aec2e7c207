/**
 * Scale-out benchmark on the local cluster (3 NATS servers with JetStream replicas 3, 2 ClickHouse
 * shards, PostgreSQL, 2 ingest processes, API): for 1, 2 and 4 processing processes, streams
 * `--readings` readings of `--sensors` sensors through the ingest processes until every one is in
 * ClickHouse, and measures CPU seconds (user + system, from /proc) of every process by role. Also:
 * memory per sensor of a processor, ClickHouse bytes on disk per reading, and the fault test's
 * counts (from bench/results/faults.json, written by `npm run test:faults`).
 * One JSON line on stdout, also written to bench/results/scale.json; progress on stderr.
 *
 * Options: --readings N (default 1,000,000), --sensors N (20,000), --processors 1,2,4, --batch N (5,000),
 * --concurrency N (6).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LocalCluster } from '../scripts/cluster/launcher.ts';
import { runLoad } from '../scripts/cluster/load.ts';
import { localTopology } from '../scripts/cluster/topology.ts';
import { storedCounts } from '../test/faults/checks.ts';

const repository = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    readings: { type: 'string', default: '1000000' },
    sensors: { type: 'string', default: '20000' },
    processors: { type: 'string', default: '1,2,4' },
    batch: { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '6' },
  },
});
const readings = Number(values.readings);
const sensors = Number(values.sensors);
const processorCounts = values.processors.split(',').map(Number);

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

async function clickhouse(url: string, sql: string): Promise<string> {
  const response = await fetch(url, { method: 'POST', body: sql });
  return (await response.text()).trim();
}

const directory = '/tmp/urban-brain-scale-bench';
await rm(directory, { recursive: true, force: true });
await mkdir(directory, { recursive: true });
const topology = localTopology(directory, 22_000, 0);
const cluster = new LocalCluster(topology, {
  adminKey: randomBytes(24).toString('base64url'),
  detached: false,
});
const chUrl = `http://127.0.0.1:${topology.clickhouse[0]!.httpPort}/`;
const runs: Record<string, unknown>[] = [];
let memory: Record<string, number> = {};
try {
  await cluster.startEngines();
  for (const spec of cluster.defaultRoles()) cluster.startRole(spec);
  for (const port of [topology.api.port, ...topology.ingest.map((node) => node.port)])
    await cluster.waitForHttp(port);
  let generation = 0;
  for (const count of processorCounts) {
    generation += 1;
    const names = Array.from({ length: count }, (_, index) => `processor-g${generation}-${index + 1}`);
    for (const name of names) cluster.startRole({ name, role: 'process', args: ['--member', name] });
    await pause(12_000 + 2_000 * count); // shards spread over the new processors
    const rssBefore = names.reduce((sum, name) => sum + rssBytes(cluster.children.get(name)?.pid), 0);
    const cpuBefore = new Map([...cluster.children].map(([name, child]) => [name, cpuSeconds(child.pid)]));
    const prefix = `b${generation}`;
    const started = performance.now();
    log(`${count} processing processes: streaming ${readings} readings of ${sensors} sensors`);
    const load = await runLoad({
      urls: topology.ingest.map((node) => `http://127.0.0.1:${node.port}`),
      key: cluster.adminKey,
      prefix,
      sensors,
      // A day of its own per run: ClickHouse merges of one run's partitions do not land on the next.
      startMillis: Date.UTC(2026, 1, 1) + generation * 7 * 86_400_000,
      stepMillis: 60_000,
      batchReadings: Number(values.batch),
      concurrency: Number(values.concurrency),
      totalReadings: readings,
    });
    let stored = await storedCounts(chUrl, 'urban_brain', prefix);
    while (stored.distinct < load.acknowledged && performance.now() - started < 600_000) {
      await pause(500);
      stored = await storedCounts(chUrl, 'urban_brain', prefix);
    }
    const seconds = (performance.now() - started) / 1_000;
    await pause(10_000); // background merges of what this run wrote are counted with it
    const cpuByRole: Record<string, number> = {};
    for (const [name, child] of cluster.children) {
      if (name === 'postgres') continue;
      const role = roleOf(name);
      cpuByRole[role] = (cpuByRole[role] ?? 0) + cpuSeconds(child.pid) - (cpuBefore.get(name) ?? 0);
    }
    const total = Object.values(cpuByRole).reduce((sum, value) => sum + value, 0);
    const perMillion = (cpu: number): number => Math.round((cpu / readings) * 1e6 * 100) / 100;
    const rssAfter = names.reduce((sum, name) => sum + rssBytes(cluster.children.get(name)?.pid), 0);
    const run = {
      processors: count,
      readings: load.acknowledged,
      stored: stored.distinct,
      duplicates: stored.inserted - stored.distinct,
      seconds: Math.round(seconds * 10) / 10,
      end_to_end_readings_per_s: Math.round(load.acknowledged / seconds),
      ingest_acknowledged_readings_per_s: Math.round(load.acknowledged / (load.elapsedMillis / 1_000)),
      cpu_s_per_million_readings: perMillion(total),
      cpu_s_per_million_by_role: Object.fromEntries(
        Object.entries(cpuByRole).map(([role, cpu]) => [role, perMillion(cpu)]),
      ),
      processor_rss_growth_bytes_per_sensor: Math.round((rssAfter - rssBefore) / sensors),
    };
    log(JSON.stringify(run));
    runs.push(run);
    if (count === processorCounts[0])
      memory = { processor_rss_growth_bytes_per_sensor: run.processor_rss_growth_bytes_per_sensor };
    for (const name of names) await cluster.kill(name, 'SIGTERM');
  }
  const ingestRss = topology.ingest.reduce(
    (sum, node) => sum + rssBytes(cluster.children.get(node.name)?.pid),
    0,
  );
  memory.ingest_rss_bytes_per_sensor = Math.round(ingestRss / (sensors * processorCounts.length));
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
  const first = runs[0] as { cpu_s_per_million_readings: number };
  const spread = runs.map(
    (run) => (run as { cpu_s_per_million_readings: number }).cpu_s_per_million_readings,
  );
  const result = {
    benchmark: 'scale',
    readings_per_run: readings,
    sensors,
    cpu_s_per_million_readings: Object.fromEntries(
      runs.map((run) => [String(run.processors), run.cpu_s_per_million_readings]),
    ),
    cpu_spread_ratio: Math.round((Math.max(...spread) / Math.min(...spread)) * 100) / 100,
    end_to_end_readings_per_s: Object.fromEntries(
      runs.map((run) => [String(run.processors), run.end_to_end_readings_per_s]),
    ),
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
  await cluster.stopAll().catch(() => undefined);
}
