/// <reference lib="dom" />
/**
 * Dashboard benchmark in Debian's Chromium (headless, software rendering): first meaningful paint,
 * frames per second while panning a map of 50,000 sensors, and the page's memory while the live
 * stream carries the city's readings (50,000 sensors every 5 s = 10,000 updates/s offered).
 *
 *   node --import tsx bench/web.ts [--sensors 50000] [--paint-sensors 3000] [--soak-seconds 600]
 *
 * Prints one JSON line and writes bench/results/web.json. Progress goes to stderr.
 */
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { benchArguments } from './arguments.ts';
import type { Page } from 'playwright-core';
import { ensureDashboardBuilt, launchBrowser, repoRoot, signIn, startDemoServer } from '../test/browser.ts';

const { values } = benchArguments(import.meta.url, () =>
  parseArgs({
    options: {
      sensors: { type: 'string', default: '50000' },
      'paint-sensors': { type: 'string', default: '3000' },
      'soak-seconds': { type: 'string', default: '600' },
    },
  }),
);
const sensorCount = Number(values.sensors);
const paintSensorCount = Number(values['paint-sensors']);
const soakSeconds = Number(values['soak-seconds']);
const reportMillis = 5000;

function progress(line: string): void {
  process.stderr.write(`bench web: ${line}\n`);
}

interface PageHooks {
  urbanBrain: {
    readingsReceived: number;
    map: {
      firstSensorsDrawnAt: number | null;
      drawnCount: number;
      frameMillis: number[];
      panBy(dx: number, dy: number): void;
    };
  };
}

/** Pans the map every animation frame for `seconds`; frames/s and frame intervals as the page saw them. */
async function panFrames(
  page: Page,
  seconds: number,
): Promise<{ fps: number; p95IntervalMillis: number; medianDrawMillis: number; drawn: number }> {
  return page.evaluate(async (durationMillis) => {
    const { map } = (window as unknown as PageHooks).urbanBrain;
    map.frameMillis.length = 0;
    const intervals: number[] = [];
    const start = performance.now();
    let last = start;
    let frame = 0;
    await new Promise<void>((resolve) => {
      const step = (now: number): void => {
        if (frame > 0) intervals.push(now - last);
        last = now;
        const direction = Math.floor(frame / 90) % 2 === 0 ? 1 : -1;
        map.panBy(6 * direction, 4 * direction);
        frame += 1;
        if (now - start < durationMillis) requestAnimationFrame(step);
        else resolve();
      };
      requestAnimationFrame(step);
    });
    const elapsed = last - start;
    intervals.sort((a, b) => a - b);
    const draws = [...map.frameMillis].sort((a, b) => a - b);
    return {
      fps: (intervals.length / elapsed) * 1000,
      p95IntervalMillis: intervals[Math.floor(intervals.length * 0.95)] ?? NaN,
      medianDrawMillis: draws[Math.floor(draws.length / 2)] ?? NaN,
      drawn: map.drawnCount,
    };
  }, seconds * 1000);
}

/** First meaningful paint (sensors on the map): three fresh navigations with the key in the tab's session, sorted. */
async function paints(page: Page): Promise<number[]> {
  await page.waitForFunction(
    () => (window as unknown as PageHooks).urbanBrain.map.firstSensorsDrawnAt !== null,
  );
  const runs: number[] = [];
  for (let run = 0; run < 3; run += 1) {
    await page.reload();
    await page.waitForFunction(
      () => (window as unknown as PageHooks).urbanBrain?.map?.firstSensorsDrawnAt != null,
      null,
      {
        timeout: 60_000,
      },
    );
    runs.push(
      await page.evaluate(
        () => (window as unknown as PageHooks).urbanBrain.map.firstSensorsDrawnAt as number,
      ),
    );
  }
  return runs.sort((a, b) => a - b);
}

/** First meaningful paint of the default-sized demo city. */
async function defaultCityPaints(): Promise<number[]> {
  const server = await startDemoServer(['--sensors', String(paintSensorCount), '--detector', 'none']);
  const browser = await launchBrowser();
  try {
    const runs = await paints(await signIn(browser, server.url, server.viewerKey));
    progress(
      `first meaningful paint with ${paintSensorCount} sensors: ${runs.map((p) => p.toFixed(0)).join(', ')} ms`,
    );
    return runs;
  } finally {
    await browser.close();
    await server.stop();
  }
}

async function main(): Promise<void> {
  await ensureDashboardBuilt();
  const smallPaints = await defaultCityPaints();
  progress(`starting the demo city with ${sensorCount} sensors reporting every ${reportMillis} ms`);
  const started = Date.now();
  const server = await startDemoServer(
    ['--sensors', String(sensorCount), '--report-millis', String(reportMillis), '--detector', 'none'],
    600_000,
  );
  progress(`demo up in ${((Date.now() - started) / 1000).toFixed(1)} s at ${server.url}`);
  const browser = await launchBrowser();
  try {
    const page = await signIn(browser, server.url, server.viewerKey);
    const largePaints = await paints(page);
    progress(
      `first meaningful paint with ${sensorCount} sensors: ${largePaints.map((p) => p.toFixed(0)).join(', ')} ms`,
    );
    await page.waitForSelector('body[data-ready=true]', { state: 'attached', timeout: 60_000 });
    const pan = await panFrames(page, 8);
    progress(
      `panning: ${pan.fps.toFixed(1)} frames/s, p95 interval ${pan.p95IntervalMillis.toFixed(1)} ms, median draw ${pan.medianDrawMillis.toFixed(1)} ms, ${pan.drawn} sensors in view`,
    );
    const dropped = (): Promise<number> =>
      page.evaluate(
        () => (window as unknown as { urbanBrain: { readingsDropped: number } }).urbanBrain.readingsDropped,
      );

    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const heapMegabytes = async (): Promise<number> => {
      await cdp.send('HeapProfiler.collectGarbage');
      const { metrics } = await cdp.send('Performance.getMetrics');
      return (metrics.find((metric) => metric.name === 'JSHeapUsedSize')?.value ?? NaN) / 1048576;
    };
    const received = (): Promise<number> =>
      page.evaluate(() => (window as unknown as PageHooks).urbanBrain.readingsReceived);
    await page.waitForTimeout(15_000); // warm-up: the stream reaches its steady rate
    const samples: { seconds: number; heapMegabytes: number; readings: number }[] = [];
    const soakStart = Date.now();
    for (;;) {
      const seconds = (Date.now() - soakStart) / 1000;
      samples.push({ seconds, heapMegabytes: await heapMegabytes(), readings: await received() });
      const last = samples.at(-1)!;
      progress(
        `soak ${seconds.toFixed(0)} s: heap ${last.heapMegabytes.toFixed(1)} MB, ${last.readings} readings received`,
      );
      if (seconds >= soakSeconds) break;
      await page.waitForTimeout(10_000);
    }
    const first = samples[0]!;
    const last = samples.at(-1)!;
    const updatesPerSecond = (last.readings - first.readings) / (last.seconds - first.seconds);
    const heapGrowthPerMinute =
      ((last.heapMegabytes - first.heapMegabytes) / (last.seconds - first.seconds)) * 60;
    const result = {
      benchmark: 'web',
      browser: 'chromium (Debian, headless, --disable-gpu)',
      sensors: sensorCount,
      paint_sensors: paintSensorCount,
      first_meaningful_paint_ms: Math.round(smallPaints[1] ?? NaN),
      first_meaningful_paint_runs_ms: smallPaints.map((paint) => Math.round(paint)),
      first_meaningful_paint_50k_ms: Math.round(largePaints[1] ?? NaN),
      first_meaningful_paint_50k_runs_ms: largePaints.map((paint) => Math.round(paint)),
      pan_fps: Number(pan.fps.toFixed(1)),
      pan_p95_frame_interval_ms: Number(pan.p95IntervalMillis.toFixed(1)),
      pan_median_draw_ms: Number(pan.medianDrawMillis.toFixed(1)),
      offered_updates_per_s: sensorCount / (reportMillis / 1000),
      stream_updates_per_s: Math.round(updatesPerSecond),
      stream_dropped_by_server: await dropped(),
      soak_seconds: Math.round(last.seconds),
      heap_start_mb: Number(first.heapMegabytes.toFixed(1)),
      heap_end_mb: Number(last.heapMegabytes.toFixed(1)),
      heap_max_mb: Number(Math.max(...samples.map((sample) => sample.heapMegabytes)).toFixed(1)),
      heap_growth_mb_per_min: Number(heapGrowthPerMinute.toFixed(2)),
      // The machine is shared: the 1-minute load average at the end says how contended the run was.
      load_average_1m: Number((loadavg()[0] ?? NaN).toFixed(1)),
      targets: { first_meaningful_paint_ms: 1000, pan_fps: 30, updates_per_s: 10000, soak_seconds: 600 },
    };
    const line = JSON.stringify(result);
    process.stdout.write(`${line}\n`);
    await writeFile(`${repoRoot}bench/results/web.json`, `${line}\n`);
  } finally {
    await browser.close();
    await server.stop();
  }
}

await main();
