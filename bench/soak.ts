/**
 * Soak benchmark: a real `urban-brain serve` fed line protocol from 1,000,000 distinct sensors at a
 * steady offered rate for an hour (by default), timestamps of the wall clock, with the server's
 * defaults (detectors on, states saved every 5 minutes, checkpoints, rollups). It watches what a
 * short run cannot: the server's resident memory minute by minute, whether the rate it keeps up
 * holds, and what the stop costs after an hour of data. Every reading is counted once acknowledged
 * (durable); bodies answered 429/503 are sent again after a pause (counted in `bodies_sent_again`),
 * as are bodies whose connection broke before an answer (`connection_errors`), and the server's
 * own count of readings accepted must equal the client's at the end (be at least it when a body was
 * sent again after a broken connection: the server may have accepted it before the break).
 * One JSON line on stdout, also written to bench/results/soak.json; a line a minute on stderr.
 *
 * Options: --sensors N (1,000,000), --rate N (readings a second offered, 200,000), --minutes N (60),
 * --batch N (readings a body, 5,000), --connections N (8), --server-args "..." (extra `serve` options).
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { snapshotPathIn } from '../src/adapters/files/detector-snapshot-file.ts';
import { benchArguments } from './arguments.ts';
import { lineProtocolLine, readingValue } from './ingest/data.ts';
import { keepAliveAgent, percentile, postUntilAcknowledged, type Target } from './ingest/http-load.ts';
import {
  benchAdminKey,
  cpuSeconds,
  directoryBytes,
  freePort,
  peakRssMegabytes,
  rssMegabytes,
  serveArguments,
  sleep,
  startProcess,
  stopProcess,
  waitForHttp,
  watchPeakRss,
} from './ingest/processes.ts';
import { metricValue } from './measures.ts';

const { values: flags } = benchArguments(import.meta.url, () =>
  parseArgs({
    options: {
      sensors: { type: 'string', default: '1000000' },
      rate: { type: 'string', default: '200000' },
      minutes: { type: 'string', default: '60' },
      batch: { type: 'string', default: '5000' },
      connections: { type: 'string', default: '8' },
      'server-args': { type: 'string', default: '' },
    },
  }),
);
const sensors = Number(flags.sensors);
const offeredRate = Number(flags.rate);
const minutes = Number(flags.minutes);
const batch = Number(flags.batch);
const connections = Number(flags.connections);
for (const [name, value] of Object.entries({ sensors, rate: offeredRate, minutes, batch, connections })) {
  if (!(value > 0)) {
    process.stderr.write(`--${name} must be a number above 0\n`);
    process.exit(2);
  }
}
const auth = { authorization: `Bearer ${benchAdminKey}` };
const log = (line: string) => process.stderr.write(`${line}\n`);

/** A line-protocol body of readings [from, to): sensors in turn, all stamped `nowMillis`. */
function body(from: number, to: number, nowMillis: number): string {
  const lines: string[] = [];
  for (let i = from; i < to; i++) {
    const sensor = i % sensors;
    lines.push(lineProtocolLine(sensor, nowMillis, readingValue(i, sensor)));
  }
  return lines.join('\n');
}

type Minute = {
  minute: number;
  readings: number;
  max_rss_mb: number;
  retries: number;
  ack_p99_ms: number;
};

/** Minute `minute` of the run before any of it is counted, with the latencies its p99 is taken from. */
function minuteFrom(minute: number): Minute & { latencies: number[] } {
  return { minute, readings: 0, max_rss_mb: 0, retries: 0, ack_p99_ms: 0, latencies: [] };
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'urban-brain-soak-'));
  const dataDir = join(root, 'data');
  const [http, mqttPort] = [await freePort(), await freePort()];
  const child = startProcess(
    process.execPath,
    [
      ...serveArguments(http, mqttPort, dataDir),
      ...(flags['server-args'] === '' ? [] : flags['server-args'].split(' ')),
    ],
    { URBAN_BRAIN_ADMIN_KEY: benchAdminKey },
  );
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (!stopping) log(`the server exited during the load: code ${code}, signal ${signal}`);
  });
  try {
    await waitForHttp(`http://127.0.0.1:${http}/healthz`, 60_000);
    const target: Target = {
      port: http,
      path: '/api/v1/write?precision=ms',
      headers: { 'content-type': 'text/plain', ...auth },
    };
    const agent = keepAliveAgent(connections);
    const durationMillis = minutes * 60_000;
    const bodyMillis = (batch / offeredRate) * 1000;
    const cpuBefore = cpuSeconds(child.pid);
    const started = performance.now();
    const timeline: Minute[] = [];
    let current = minuteFrom(1);
    const latencies: number[] = [];
    let acknowledged = 0;
    let retries = 0;
    let connectionErrors = 0;
    let next = 0;
    let maxRss = 0;
    const closeMinute = () => {
      const { latencies: minuteLatencies, ...rest } = current;
      rest.ack_p99_ms = Math.round(percentile(minuteLatencies, 0.99));
      timeline.push(rest);
      log(
        `minute ${rest.minute}: ${rest.readings} readings acknowledged (${Math.round(rest.readings / 60)}/s), ` +
          `RSS up to ${rest.max_rss_mb} MB, ${rest.retries} bodies sent again, ack p99 ${rest.ack_p99_ms} ms`,
      );
      current = minuteFrom(rest.minute + 1);
    };
    const sampler = setInterval(() => {
      const rss = Math.round(rssMegabytes(child.pid));
      if (rss > current.max_rss_mb) current.max_rss_mb = rss;
      if (rss > maxRss) maxRss = rss;
      if (performance.now() - started >= current.minute * 60_000 && current.minute * 60_000 <= durationMillis)
        closeMinute();
    }, 1000);
    async function worker(): Promise<void> {
      for (;;) {
        const index = next++;
        const due = index * bodyMillis;
        // Bodies behind their time are sent at once, but none after the run's minutes.
        if (due >= durationMillis || performance.now() - started >= durationMillis) return;
        const wait = due - (performance.now() - started);
        if (wait > 0) await sleep(wait);
        const text = body(index * batch, (index + 1) * batch, Date.now());
        const sent = performance.now();
        await postUntilAcknowledged(agent, target, text, {
          onOverloaded: () => {
            retries++;
            current.retries++;
          },
          // The connection broke before an answer: whether the body was stored is unknown, so it is
          // sent again, as a client must (the store keeps one reading per sensor and time).
          onBrokenConnection: (error) => {
            if (child.exitCode !== null || child.signalCode !== null) return false;
            connectionErrors++;
            if (connectionErrors <= 5)
              log(`minute ${current.minute}: the connection broke (${error.message}); sent again`);
            return true;
          },
        });
        const latency = performance.now() - sent;
        latencies.push(latency);
        current.latencies.push(latency);
        acknowledged += batch;
        current.readings += batch;
      }
    }
    await Promise.all(Array.from({ length: connections }, () => worker()));
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    if (current.readings > 0) closeMinute();
    agent.destroy();
    const cpu = cpuSeconds(child.pid) - cpuBefore;
    const peak = peakRssMegabytes(child.pid);
    const page = await (await fetch(`http://127.0.0.1:${http}/metrics`, { headers: auth })).text();
    const accepted = metricValue(page, 'urban_brain_readings_accepted_total');
    const watch = watchPeakRss(child.pid);
    const stopStarted = performance.now();
    stopping = true;
    const code = await stopProcess(child, 600_000);
    const stopSeconds = (performance.now() - stopStarted) / 1000;
    const stopPeak = watch.stop();
    if (code !== 0) throw new Error(`the server exited with ${code} at shutdown (its final flush failed)`);
    const bytes = directoryBytes(dataDir);
    const snapshot = snapshotPathIn(dataDir);
    const snapshotBytes = existsSync(snapshot) ? statSync(snapshot).size : 0;
    const summary = {
      benchmark: 'soak',
      sensors,
      offered_readings_per_s: offeredRate,
      minutes,
      readings: acknowledged,
      server_accepted_readings: accepted,
      readings_per_s: Math.round(acknowledged / seconds),
      bodies_sent_again: retries,
      /** Bodies whose connection broke before an answer, sent again. */
      connection_errors: connectionErrors,
      ack_p50_ms: Math.round(percentile(latencies, 0.5)),
      ack_p99_ms: Math.round(percentile(latencies, 0.99)),
      /** The server's resident set: the highest sampled (every second) and its peak (VmHWM) through the load. */
      max_rss_mb: maxRss,
      peak_rss_mb: Math.round(peak),
      stop_peak_rss_mb: Math.round(stopPeak),
      stop_seconds: Math.round(stopSeconds * 10) / 10,
      server_cpu_s_per_million: Math.round((cpu / (acknowledged / 1e6)) * 100) / 100,
      bytes_per_reading: Math.round((bytes / acknowledged) * 100) / 100,
      /** The detectors' states snapshot, a fixed size per sensor, in the data folder's bytes above. */
      states_snapshot_mb: Math.round(snapshotBytes / 1e6),
      store_bytes_per_reading: Math.round(((bytes - snapshotBytes) / acknowledged) * 100) / 100,
      by_minute: timeline,
      targets: { peak_rss_mb_million_sensors: 1024 },
    };
    const line = JSON.stringify(summary);
    // A body sent again after a broken connection may have been accepted twice (stored once).
    if (
      accepted === null ||
      accepted < acknowledged ||
      (connectionErrors === 0 && accepted !== acknowledged)
    ) {
      log(`the server accepted ${accepted} readings, the client saw ${acknowledged} acknowledged`);
      process.exitCode = 1;
    }
    await mkdir(new URL('./results/', import.meta.url), { recursive: true });
    await writeFile(new URL('./results/soak.json', import.meta.url), `${line}\n`);
    process.stdout.write(`${line}\n`);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
