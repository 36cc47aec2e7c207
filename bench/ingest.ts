/**
 * Ingest benchmark: readings from 100,000 sensors pushed end to end into a real `urban-brain serve`
 * child process over loopback (JSON batches, line protocol, MQTT SenML batches, MQTT one reading
 * per message), each counted only once acknowledged (durable) and by the server's own count of
 * readings accepted. The batched paths run in rounds (3 by default): in each, InfluxDB 1.x is fed the
 * same line-protocol bodies right after our line-protocol run, and both are fed them again
 * gzip-compressed (`Content-Encoding: gzip`, Telegraf's default); `ratio_vs_influxdb` is our best
 * batched path over InfluxDB's best (plain or gzip) within a round, `ratio_line_protocol_vs_influxdb`
 * ours over its on those same plain bodies (`ratio_line_protocol_gzip_vs_influxdb_gzip` on the gzip
 * ones), each the median over the rounds (`rounds` has every round's); each of those
 * paths' figures are its median run's. A path that fails is named in `errors`
 * (exit code 1) and has no figures. Each path's `peak_rss_mb` is the server's through the load,
 * `stop_peak_rss_mb` through its stop as well. Also: 1,000,000 distinct sensors (peak RSS, bytes per
 * reading; the server saves the detectors' states every 20 s, as a long run does every 5 minutes, and the
 * default 10,000,000 readings last long enough for a save of up to every state to run beside the load) and the
 * 24-hour series query over a large stored set. One JSON line on stdout, also written to
 * bench/results/ingest.json; progress on stderr.
 *
 * Options: --readings N (per path, default 2,000,000), --sensors N (100,000), --batch N (5,000),
 * --connections N (8), --rounds N (rounds of the batched paths and InfluxDB, 3), --million-readings N (10,000,000; 0 skips), --query-readings N (100,000,000; 0 skips),
 * --server-heap-mb N (V8 old-space limit of the server, default Node's), --server-profile-dir DIR (CPU profile of each server), --server-node-flags "..." (extra node flags of the server), --server-args "..." (extra `serve` options, e.g. "--detector none"), --paths a,b (pipeline,json,line_protocol,line_protocol_gzip,mqtt_batched,mqtt_single,mqtt_single_qos0,influxdb,influxdb_gzip).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchArguments } from './arguments.ts';
import {
  gzipBodies,
  jsonBodies,
  lineProtocolBodies,
  senmlBodies,
  sensorId,
  forEachReading,
  type Workload,
} from './ingest/data.ts';
import { percentile, pushBodies, type LoadResult } from './ingest/http-load.ts';
import { influxdPath, startInflux } from './ingest/influx.ts';
import { publishMessages, type MqttMessage } from './ingest/mqtt-load.ts';
import {
  benchAdminKey,
  cpuSeconds,
  directoryBytes,
  freePort,
  peakRssMegabytes,
  serveArguments,
  watchPeakRss,
  startProcess,
  stopProcess,
  waitForHttp,
} from './ingest/processes.ts';
import { measureQueries } from './ingest/query.ts';
import { measurePipeline, type PipelineResult } from './ingest/pipeline-load.ts';
import { parseLineProtocol } from '../src/core/ingest/line-protocol.ts';
import { parseJsonBatch } from '../src/core/ingest/json-batch.ts';
import { medianRun, metricValue, sideBySideRatio } from './measures.ts';

const { values: flags } = benchArguments(import.meta.url, () =>
  parseArgs({
    options: {
      readings: { type: 'string', default: '2000000' },
      sensors: { type: 'string', default: '100000' },
      batch: { type: 'string', default: '5000' },
      connections: { type: 'string', default: '8' },
      rounds: { type: 'string', default: '3' },
      'million-readings': { type: 'string', default: '10000000' },
      'query-readings': { type: 'string', default: '100000000' },
      'server-heap-mb': { type: 'string', default: '' },
      'server-profile-dir': { type: 'string', default: '' },
      'server-node-flags': { type: 'string', default: '' },
      'server-args': { type: 'string', default: '' },
      paths: {
        type: 'string',
        default:
          'pipeline,json,line_protocol,line_protocol_gzip,mqtt_batched,mqtt_single,mqtt_single_qos0,influxdb,influxdb_gzip',
      },
    },
  }),
);
const readingsPerPath = Number(flags.readings);
const connections = Number(flags.connections);
const roundCount = Number(flags.rounds);
if (!Number.isInteger(roundCount) || roundCount < 1)
  throw new Error(`--rounds must be a whole number of at least 1, not "${flags.rounds}"`);
const log = (line: string) => process.stderr.write(`${line}\n`);
const root = mkdtempSync(join(tmpdir(), 'urban-brain-bench-'));

interface PathResult {
  /** Readings stored: the server's own count of readings it accepted durably when it reports one. */
  readings: number;
  /** Readings the client sent and saw acknowledged (QoS 0: sent). */
  readings_sent: number;
  /** Bodies answered 2xx with some readings refused. */
  bodies_with_rejections: number;
  readings_per_s: number;
  ack_p50_ms: number | null;
  ack_p99_ms: number | null;
  peak_rss_mb: number;
  /**
   * The server's peak resident set through its stop as well (MB, read every 100 ms until it
   * exited): the stop saves every changed detector state and flushes the buffer.
   */
  stop_peak_rss_mb?: number;
  bytes_per_reading: number;
  retries: number;
  seconds: number;
  /** CPU seconds (all threads) the server spent per million readings while the load ran. */
  server_cpu_s_per_million: number;
  /**
   * CPU seconds the load's client (this process) spent per million readings sending it, on the
   * same two cores (null where the client does not measure it).
   */
  client_cpu_s_per_million: number | null;
  /**
   * Sensors the server's failure-prediction detectors had scored when the load ended (null when
   * detection is off): proof that every reading also went through a detector.
   */
  detector_sensors?: number | null;
  /** Where the server's memory was when the load ended (MB): V8 heap used, and memory outside it. */
  server_heap_used_mb?: number | null;
  server_external_mb?: number | null;
  /**
   * Readings accepted but not yet scored when the load ended, and the seconds until the detectors
   * had scored them: the server's CPU figure is read once they have, since scoring is part of the
   * work each reading costs (null when the server has no detection backlog gauge).
   */
  detection_backlog_at_end?: number | null;
  detection_drain_seconds?: number | null;
}

/** Rates, bytes and CPU per reading are per reading `stored` (what the server accepted), not per reading sent. */
function summarize(
  load: LoadResult,
  stored: number,
  peakRss: number,
  bytes: number,
  cpu: number,
): PathResult {
  const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
  return {
    readings: stored,
    readings_sent: load.readings,
    bodies_with_rejections: load.rejected,
    readings_per_s: Math.round(stored / load.seconds),
    ack_p50_ms: load.latenciesMillis.length ? round(percentile(load.latenciesMillis, 0.5)) : null,
    ack_p99_ms: load.latenciesMillis.length ? round(percentile(load.latenciesMillis, 0.99)) : null,
    peak_rss_mb: round(peakRss),
    bytes_per_reading: round(bytes / stored, 2),
    retries: load.retries,
    seconds: round(load.seconds, 2),
    server_cpu_s_per_million: round((cpu / stored) * 1e6, 2),
    client_cpu_s_per_million:
      load.clientCpuSeconds === undefined ? null : round((load.clientCpuSeconds / stored) * 1e6, 2),
  };
}

/** One round of the batched paths and InfluxDB: each one's rate, and the ratios within the round. */
interface Round {
  line_protocol: number | null;
  line_protocol_gzip: number | null;
  json: number | null;
  mqtt_batched: number | null;
  influxdb: number | null;
  influxdb_gzip: number | null;
  best_batched_readings_per_s: number | null;
  /** InfluxDB's best rate in the round: plain or gzip bodies, whichever it took faster. */
  best_influxdb_readings_per_s: number | null;
  /** Our best batched path over InfluxDB's best, plain or gzip (never ours on one over its on a slower one). */
  ratio_vs_influxdb: number | null;
  ratio_line_protocol_vs_influxdb: number | null;
  ratio_line_protocol_gzip_vs_influxdb_gzip: number | null;
  cpu_ratio_vs_influxdb: number | null;
}

/** The largest of the rates given that were measured, or null when none was. */
function bestOf(rates: readonly (number | null)[]): number | null {
  const measured = rates.filter((value): value is number => value !== null);
  return measured.length === 0 ? null : Math.max(...measured);
}

/** A round's figures from the runs measured in it (a path not run or failed is null). */
function roundFigures(measured: Readonly<Record<string, PathResult | null>>): Round {
  const rate = (name: string) => measured[name]?.readings_per_s ?? null;
  const best = bestOf(['line_protocol', 'line_protocol_gzip', 'json', 'mqtt_batched'].map(rate));
  const bestInflux = bestOf([rate('influxdb'), rate('influxdb_gzip')]);
  const ours = measured['line_protocol'];
  const peer = measured['influxdb'];
  return {
    line_protocol: rate('line_protocol'),
    line_protocol_gzip: rate('line_protocol_gzip'),
    json: rate('json'),
    mqtt_batched: rate('mqtt_batched'),
    influxdb: rate('influxdb'),
    influxdb_gzip: rate('influxdb_gzip'),
    best_batched_readings_per_s: best,
    best_influxdb_readings_per_s: bestInflux,
    ratio_vs_influxdb: sideBySideRatio(best, bestInflux),
    ratio_line_protocol_vs_influxdb: sideBySideRatio(rate('line_protocol'), rate('influxdb')),
    ratio_line_protocol_gzip_vs_influxdb_gzip: sideBySideRatio(
      rate('line_protocol_gzip'),
      rate('influxdb_gzip'),
    ),
    cpu_ratio_vs_influxdb:
      ours && peer ? sideBySideRatio(peer.server_cpu_s_per_million, ours.server_cpu_s_per_million) : null,
  };
}

/** The value of a metric of the server's page now, summed over its labels, or null when it cannot say. */
async function scrapeMetric(http: number, name: string): Promise<number | null> {
  const response = await fetch(`http://127.0.0.1:${http}/metrics`, { headers: auth });
  const page = await response.text();
  return response.ok ? metricValue(page, name) : null;
}

/** Readings the server has accepted durably so far (its own counter), or null when it cannot say. */
const acceptedReadings = (http: number) => scrapeMetric(http, 'urban_brain_readings_accepted_total');

/** Waits (at most 120 s) until the server's detectors have scored every accepted reading. */
async function drainDetection(
  http: number,
): Promise<{ backlogAtEnd: number | null; seconds: number | null }> {
  const backlog = () => scrapeMetric(http, 'urban_brain_detection_backlog_readings');
  const started = performance.now();
  const backlogAtEnd = await backlog();
  if (backlogAtEnd === null) return { backlogAtEnd, seconds: null };
  let left = backlogAtEnd;
  while (left > 0) {
    if (performance.now() - started > 120_000) throw new Error(`${left} readings still unscored after 120 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    left = (await backlog()) ?? 0;
  }
  return { backlogAtEnd, seconds: Math.round((performance.now() - started) / 10) / 100 };
}

/** Starts a fresh server (with `extraArgs`), runs `load` against it, stops it (SIGTERM flushes) and measures. */
async function withServer(
  name: string,
  load: (http: number, mqtt: number) => Promise<LoadResult>,
  extraArgs: readonly string[] = [],
): Promise<PathResult> {
  const dataDir = join(root, name);
  const heap = flags['server-heap-mb'] === '' ? [] : [`--max-old-space-size=${flags['server-heap-mb']}`];
  if (flags['server-node-flags'] !== '') heap.push(...flags['server-node-flags'].split(' '));
  if (flags['server-profile-dir'] !== '')
    heap.push('--cpu-prof', `--cpu-prof-dir=${flags['server-profile-dir']}`);
  // A port found free may be taken before the server binds it (the load's own connections use
  // ephemeral ports): a server that exits at start is started again on other ports.
  for (let attempt = 1; ; attempt++) {
    const [http, mqttPort] = [await freePort(), await freePort()];
    const args = [
      ...serveArguments(http, mqttPort, dataDir),
      ...extraArgs,
      ...(flags['server-args'] === '' ? [] : flags['server-args'].split(' ')),
    ];
    const child = startProcess(process.execPath, [...heap, ...args], {
      URBAN_BRAIN_ADMIN_KEY: benchAdminKey,
    });
    try {
      await waitForHttp(`http://127.0.0.1:${http}/healthz`, 60_000, {}, () => child.exitCode === null);
    } catch (error) {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
      if (child.exitCode === null || attempt === 3) throw error;
      log(`  the server exited at start (code ${child.exitCode}); starting it again on other ports`);
      continue;
    }
    return measureServer(child, http, mqttPort, dataDir, load);
  }
}

/** Runs `load` against a started server, stops it (SIGTERM flushes) and measures. */
async function measureServer(
  child: ChildProcess,
  http: number,
  mqttPort: number,
  dataDir: string,
  load: (http: number, mqtt: number) => Promise<LoadResult>,
): Promise<PathResult> {
  try {
    const cpuBefore = cpuSeconds(child.pid);
    const result = await load(http, mqttPort);
    const drain = await drainDetection(http);
    const cpu = cpuSeconds(child.pid) - cpuBefore;
    const peak = peakRssMegabytes(child.pid);
    const detection = await fetch(`http://127.0.0.1:${http}/api/v1/detection`, { headers: auth });
    const detectorSensors = detection.ok ? ((await detection.json()) as { sensors: number }).sensors : null;
    const metrics = await (await fetch(`http://127.0.0.1:${http}/metrics`, { headers: auth })).text();
    const gauge = (name: string) => {
      const bytes = metricValue(metrics, name);
      return bytes === null ? null : Math.round(bytes / 1e5) / 10;
    };
    const accepted = metricValue(metrics, 'urban_brain_readings_accepted_total');
    if (accepted !== null && accepted !== result.readings)
      log(`  the server accepted ${accepted} readings of ${result.readings} sent`);
    const watch = watchPeakRss(child.pid);
    const code = await stopProcess(child);
    const stopPeak = watch.stop();
    if (code !== 0) throw new Error(`the server exited with ${code} at shutdown (its final flush failed)`);
    return {
      ...summarize(result, accepted ?? result.readings, peak, directoryBytes(dataDir), cpu),
      stop_peak_rss_mb: Math.round(stopPeak * 10) / 10,
      detector_sensors: detectorSensors,
      server_heap_used_mb: gauge('urban_brain_nodejs_heap_size_used_bytes'),
      server_external_mb: gauge('urban_brain_nodejs_external_memory_bytes'),
      detection_backlog_at_end: drain.backlogAtEnd,
      detection_drain_seconds: drain.seconds,
    };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const auth = { authorization: `Bearer ${benchAdminKey}` };

/** Starts and stops a server once; the message of what went wrong, or undefined when it works. */
async function probeServer(): Promise<string | undefined> {
  try {
    await withServer('probe', async () => ({
      readings: 1,
      seconds: 1,
      latenciesMillis: [],
      retries: 0,
      rejected: 0,
    }));
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** InfluxDB 1.x fed `bodies` over HTTP (its WAL fsynced before each answer), measured as our server is. */
async function measureInflux(
  name: string,
  binary: string,
  bodies: readonly (string | Buffer)[],
  perBody: (index: number) => number,
  headers: Record<string, string> = {},
): Promise<PathResult> {
  const server = await startInflux(binary, root, name);
  try {
    const cpuBefore = cpuSeconds(server.child.pid);
    const load = await pushBodies(
      { port: server.port, path: '/write?db=bench&precision=ms', headers },
      bodies,
      perBody,
      connections,
    );
    const cpu = cpuSeconds(server.child.pid) - cpuBefore;
    const peak = peakRssMegabytes(server.child.pid);
    await stopProcess(server.child);
    // InfluxDB answers 204 only when every point is written (a partial write is a 4xx, which fails the run).
    return summarize(load, load.readings, peak, directoryBytes(server.dataDir), cpu);
  } finally {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
    rmSync(server.dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const workload: Workload = {
    sensors: Number(flags.sensors),
    readings: readingsPerPath,
    batchReadings: Number(flags.batch),
    startMillis: Date.now() - Math.ceil(readingsPerPath / Number(flags.sensors)) * 1000 - 60_000,
  };
  const perBody = (index: number) =>
    Math.min(workload.batchReadings, workload.readings - index * workload.batchReadings);
  const paths = new Set(flags.paths.split(','));
  const serverError = await probeServer();
  if (serverError !== undefined) {
    log(`urban-brain serve does not start (${serverError}): measuring the data plane in process only`);
    for (const name of ['json', 'line_protocol', 'mqtt_batched', 'mqtt_single', 'mqtt_single_qos0'])
      paths.delete(name);
    paths.add('pipeline');
  }
  const results: Record<string, PathResult> = {};
  /** Paths that failed (a server that did not start or answered an error, a peer that failed), by name. */
  const errors: Record<string, string> = {};
  /** Runs one path; a failure is recorded under its name instead of ending the benchmark. */
  async function attempt<T>(name: string, run: () => Promise<T>): Promise<T | null> {
    try {
      return await run();
    } catch (error) {
      errors[name] = (error as Error).message;
      log(`  ${name} failed: ${errors[name]}`);
      return null;
    }
  }
  /** Runs one measured path and logs its figures; null (its failure recorded) when it failed. */
  async function measure(name: string, run: () => Promise<PathResult>): Promise<PathResult | null> {
    const result = await attempt(name, run);
    if (result !== null) log(`  ${JSON.stringify(result)}`);
    return result;
  }
  /** Measures one path of our server and keeps its figures under its name in `results`. */
  async function record(name: string, run: () => Promise<PathResult>): Promise<void> {
    const result = await measure(name, run);
    if (result !== null) results[name] = result;
  }
  /** A fresh server named `server` fed `bodies` over HTTP at `path` as `contentType`. */
  const pushToServer = (
    server: string,
    path: string,
    contentType: string,
    bodies: readonly (string | Buffer)[],
    readingsPerBody: (index: number) => number,
    extraArgs: readonly string[] = [],
    headers: Record<string, string> = {},
  ) =>
    withServer(
      server,
      (http) =>
        pushBodies(
          { port: http, path, headers: { ...auth, 'content-type': contentType, ...headers } },
          bodies,
          readingsPerBody,
          connections,
        ),
      extraArgs,
    );
  log(`generating ${readingsPerPath} readings per path for ${workload.sensors} sensors`);
  const lineProtocol = lineProtocolBodies(workload);

  const pipeline: Record<string, PipelineResult> = {};
  if (paths.has('pipeline')) {
    log('line protocol → data plane in process (parse + WAL + store)');
    pipeline['line_protocol'] = await measurePipeline(
      lineProtocol,
      (body) => parseLineProtocol(body, 'ms', Date.now()),
      connections,
    );
    log(`  ${JSON.stringify(pipeline['line_protocol'])}`);
    log('JSON batches → data plane in process');
    pipeline['json'] = await measurePipeline(
      jsonBodies(workload),
      (body) => parseJsonBatch(body, Date.now()),
      connections,
    );
    log(`  ${JSON.stringify(pipeline['json'])}`);
  }
  // The three batched paths and InfluxDB, round after round: line protocol, InfluxDB on the same
  // bodies right after it, JSON, MQTT SenML batches. Each round's ratio is taken within the round
  // and the median round's is kept, as is each path's median run, so that one run slowed by the
  // machine moves no figure.
  const binary = influxdPath();
  if (paths.has('influxdb') && binary === undefined) errors['influxdb'] = 'influxd is not installed';
  const jsonBatches = paths.has('json') ? jsonBodies(workload) : [];
  const senmlMessages: MqttMessage[] = paths.has('mqtt_batched')
    ? senmlBodies(workload).map((payload, i) => ({ topic: 'city/senml', payload, readings: perBody(i) }))
    : [];
  const gzipped =
    paths.has('line_protocol_gzip') || paths.has('influxdb_gzip') ? gzipBodies(lineProtocol) : [];
  const gzip = { 'content-encoding': 'gzip' };
  const runs: Record<string, PathResult[]> = {
    line_protocol: [],
    line_protocol_gzip: [],
    json: [],
    mqtt_batched: [],
    influxdb: [],
    influxdb_gzip: [],
  };
  const rounds: Round[] = [];
  for (let round = 1; round <= roundCount; round += 1) {
    log(`round ${round} of ${roundCount}`);
    const measured: Record<string, PathResult | null> = {};
    const run = async (name: string, measurement: () => Promise<PathResult>) => {
      const result = await measure(name, measurement);
      measured[name] = result;
      if (result !== null) runs[name]!.push(result);
    };
    if (paths.has('line_protocol')) {
      log('line protocol → urban-brain');
      await run('line_protocol', () =>
        pushToServer(`lp-${round}`, '/api/v1/write?precision=ms', 'text/plain', lineProtocol, perBody),
      );
    }
    if (paths.has('influxdb') && binary !== undefined) {
      log('line protocol → InfluxDB 1.x');
      await run('influxdb', () => measureInflux(`influx-${round}`, binary, lineProtocol, perBody));
    }
    if (paths.has('line_protocol_gzip')) {
      log('line protocol, gzip → urban-brain');
      await run('line_protocol_gzip', () =>
        pushToServer(`lpz-${round}`, '/api/v1/write?precision=ms', 'text/plain', gzipped, perBody, [], gzip),
      );
    }
    if (paths.has('influxdb_gzip') && binary !== undefined) {
      log('line protocol, gzip → InfluxDB 1.x');
      await run('influxdb_gzip', () => measureInflux(`influxz-${round}`, binary, gzipped, perBody, gzip));
    }
    if (paths.has('json')) {
      log('JSON batches → urban-brain');
      await run('json', () =>
        pushToServer(`json-${round}`, '/api/v1/readings', 'application/json', jsonBatches, perBody),
      );
    }
    if (paths.has('mqtt_batched')) {
      log('MQTT SenML batches (QoS 1) → urban-brain');
      await run('mqtt_batched', () =>
        withServer(`mqtt-batched-${round}`, (_http, mqtt) =>
          publishMessages(mqtt, benchAdminKey, senmlMessages, { connections, qos: 1, inflight: 2 }),
        ),
      );
    }
    rounds.push(roundFigures(measured));
    log(`  ${JSON.stringify(rounds.at(-1))}`);
  }
  for (const name of ['line_protocol', 'line_protocol_gzip', 'json', 'mqtt_batched']) {
    const median = medianRun(runs[name]!, (result) => result.readings_per_s);
    if (median !== undefined) results[name] = median;
  }
  const influx = medianRun(runs['influxdb']!, (result) => result.readings_per_s) ?? null;
  const influxGzip = medianRun(runs['influxdb_gzip']!, (result) => result.readings_per_s) ?? null;
  /** The median over the rounds of a figure taken within each round (null when no round has it). */
  const overRounds = (figure: (round: Round) => number | null) => {
    const values = rounds.map(figure).filter((value): value is number => value !== null);
    return medianRun(values, (value) => value) ?? null;
  };
  const singleCount = Math.min(readingsPerPath, 400_000);
  const singles: MqttMessage[] = [];
  forEachReading({ ...workload, readings: singleCount }, 0, singleCount, (sensor, ts, value) =>
    singles.push({
      topic: `city/${sensorId(sensor)}/telemetry`,
      payload: `{"ts":${ts},"value":${value}}`,
      readings: 1,
    }),
  );
  if (paths.has('mqtt_single')) {
    log(`MQTT one reading per message (QoS 1), ${singleCount} messages → urban-brain`);
    await record('mqtt_single', () =>
      withServer('mqtt-single', (_http, mqtt) =>
        publishMessages(mqtt, benchAdminKey, singles, { connections, qos: 1, inflight: 500 }),
      ),
    );
  }
  if (paths.has('mqtt_single_qos0')) {
    log(`MQTT one reading per message (QoS 0), ${singleCount} messages → urban-brain`);
    // QoS 0 has no acknowledgement: the run ends when the server's own count of readings accepted
    // durably reaches every message sent, or stops moving for 5 s (messages lost: the count stored
    // is what is reported). The last message's arrival says nothing of the other connections'.
    await record('mqtt_single_qos0', () =>
      withServer('mqtt-qos0', (http, mqtt) => {
        let last = -1;
        let movedAt = performance.now();
        return publishMessages(mqtt, benchAdminKey, singles, {
          connections,
          qos: 0,
          inflight: 1,
          done: async () => {
            const accepted = (await acceptedReadings(http)) ?? 0;
            if (accepted !== last) [last, movedAt] = [accepted, performance.now()];
            return accepted >= singles.length || performance.now() - movedAt > 5_000;
          },
        });
      }),
    );
  }

  let million: PathResult | null = null;
  const millionSnapshotSeconds = 20;
  const millionReadings = Number(flags['million-readings']);
  if (millionReadings > 0 && serverError === undefined) {
    log(`line protocol from 1,000,000 distinct sensors, ${millionReadings} readings → urban-brain`);
    const wide: Workload = {
      ...workload,
      sensors: 1_000_000,
      readings: millionReadings,
      startMillis: Date.now() - 3_600_000,
    };
    const bodies = lineProtocolBodies(wide);
    // States saved every 20 s, not every 5 minutes: the run is shorter, and a long one saves them too.
    million = await measure('million_sensors', () =>
      pushToServer(
        'million',
        '/api/v1/write?precision=ms',
        'text/plain',
        bodies,
        (i) => Math.min(wide.batchReadings, wide.readings - i * wide.batchReadings),
        ['--detector-snapshot-seconds', String(millionSnapshotSeconds)],
      ),
    );
  }

  const queryReadings = Number(flags['query-readings']);
  const query = queryReadings > 0 ? await attempt('query', () => measureQueries(queryReadings, log)) : null;

  const summary = {
    benchmark: 'ingest',
    path_level: serverError === undefined ? 'server' : 'pipeline',
    server_error: serverError ?? null,
    /** Paths that failed, with the reason; their figures are absent, never estimated. */
    errors,
    machine_cores: (await import('node:os')).cpus().length,
    load_average_1m: Math.round((await import('node:os')).loadavg()[0]! * 10) / 10,
    sensors: workload.sensors,
    batch_readings: workload.batchReadings,
    connections,
    server_heap_mb: flags['server-heap-mb'] === '' ? null : Number(flags['server-heap-mb']),
    paths: results,
    /** The data plane alone (parsers, WAL, pipeline, DuckDB) in the benchmark process, no HTTP. */
    pipeline,
    /** The median over the rounds of the best batched rate (line protocol, JSON or MQTT SenML batches). */
    best_durable_batched_readings_per_s: overRounds((round) => round.best_batched_readings_per_s),
    /** InfluxDB's median run, on the plain bodies and on the gzip ones. */
    influxdb: influx,
    influxdb_gzip: influxGzip,
    /**
     * Each round: the rate of each path and of InfluxDB, and the ratios taken within it. Rounds
     * alternate between our server and InfluxDB, so that the machine's load weighs on both sides.
     */
    rounds,
    /**
     * Our best batched path's readings/s (line protocol plain or gzip, JSON or MQTT SenML batches)
     * over InfluxDB's best (plain or gzip), each acknowledged once durable, taken within each round;
     * the median over the rounds (null when no round had both sides): the ratio the target is set on.
     */
    ratio_vs_influxdb: overRounds((round) => round.ratio_vs_influxdb),
    /** Ours over InfluxDB's on the very same line-protocol bodies over HTTP (median over the rounds). */
    ratio_line_protocol_vs_influxdb: overRounds((round) => round.ratio_line_protocol_vs_influxdb),
    /** The same on the same bodies gzip-compressed, as Telegraf sends them by default. */
    ratio_line_protocol_gzip_vs_influxdb_gzip: overRounds(
      (round) => round.ratio_line_protocol_gzip_vs_influxdb_gzip,
    ),
    /**
     * InfluxDB's CPU seconds per million readings over ours on line protocol, median over the rounds:
     * how many times less CPU we spend per reading (load on the machine moves this far less than the rates).
     */
    cpu_ratio_vs_influxdb: overRounds((round) => round.cpu_ratio_vs_influxdb),
    million_sensors:
      million === null ? null : { ...million, detector_snapshot_seconds: millionSnapshotSeconds },
    query,
    targets: {
      durable_batched_readings_per_s: 500_000,
      mqtt_single_qos0_messages_per_s: 40_000,
      ratio_vs_influxdb: 2,
      bytes_per_reading: 10,
      peak_rss_mb_million_sensors: 1024,
      series_p95_ms: 50,
    },
  };
  const line = JSON.stringify(summary);
  if (Object.keys(errors).length > 0) process.exitCode = 1;
  await mkdir(new URL('./results/', import.meta.url), { recursive: true });
  await writeFile(new URL('./results/ingest.json', import.meta.url), `${line}\n`);
  process.stdout.write(`${line}\n`);
}

try {
  await main();
} finally {
  rmSync(root, { recursive: true, force: true });
}
