import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import type { Reading } from '../../core/readings/reading.ts';
import { MemoryRegistry } from '../../adapters/memory/registry.ts';
import { startDemo, defaultDemoOptions, type DemoDependencies } from './runner.ts';

const nabDirectory = new URL('../../../assets/demo/nab/', import.meta.url);
const fastOptions = {
  ...defaultDemoOptions,
  sensorCount: 400,
  speed: 6000,
  tickMillis: 50,
  reportMillis: 1000,
};

/** Starts a demo city into an ingestor that keeps every reading, and a log that keeps every line. */
async function startRecorded(extra: Pick<DemoDependencies, 'resumeFrom'> = {}, now = () => Date.now()) {
  const registry = new MemoryRegistry();
  const received: Reading[] = [];
  const lines: string[] = [];
  const demo = await startDemo(
    {
      registry,
      ingestor: {
        async ingest(readings) {
          received.push(...readings);
          return { ok: true, stored: readings.length };
        },
      },
      loadRecording: (file) => readFile(new URL(file, nabDirectory), 'utf8'),
      now,
      log: (line) => lines.push(line),
      ...extra,
    },
    fastOptions,
  );
  return { demo, registry, received, lines };
}

test('registers the city, writes history before the cue and streams live readings through the ingestor', async () => {
  const { demo, registry, received } = await startRecorded();
  const started = demo.status().startedAtMillis;
  const historyCount = received.length;
  assert.ok(
    received.every((reading) => reading.ts < started),
    'history is stamped before the start',
  );
  await new Promise((resolve) => setTimeout(resolve, 1200));
  await demo.stop();
  const elapsedMillis = Date.now() - started;
  const live = received.slice(historyCount);
  assert.equal((await registry.listSensors({ limit: 1000, offset: 0 })).length, 400);
  const sensors = new Set(live.map((reading) => reading.sensor));
  assert.ok(sensors.size > 300, `most sensors reported live, got ${sensors.size}`);
  assert.ok(live.every((reading) => reading.ts >= started && Number.isFinite(reading.value)));
  const status = demo.status();
  assert.equal(status.replays.length, 5);
  const machine = status.replays.find((replay) => replay.file.startsWith('machine_temperature'));
  assert.ok(machine !== undefined && machine.rowsSent > 0);
  // At 6000× a recorded 5-minute row is due every 50 ms of wall time, the first at the start.
  const machineLive = live.filter((reading) => reading.sensor === machine.sensor).length;
  const due = Math.floor(elapsedMillis / 50) + 1;
  assert.ok(
    machineLive <= due && machineLive >= due - 8,
    `machine replay rows live: ${machineLive}, due ${due}`,
  );
});

test('a resumed city writes no history again and goes on from where its clock stands', async () => {
  const resumedAt = Date.now();
  const firstStart = resumedAt - 10_000;
  const { demo, received, registry } = await startRecorded({ resumeFrom: firstStart });
  const runningAt = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 1200));
  await demo.stop();
  const elapsedMillis = Date.now() - resumedAt;
  assert.equal(demo.status().startedAtMillis, firstStart, 'the city keeps its first start');
  assert.equal(
    (await registry.listAssets({ limit: 10, offset: 0 })).length,
    0,
    'registered at its first start, not again',
  );
  assert.ok(received.length > 0);
  assert.ok(
    received.every((reading) => reading.ts >= resumedAt),
    'nothing is stamped before the resumption: no history, no readings for the stopped time',
  );
  const replays = new Set(demo.status().replays.map((replay) => replay.sensor));
  const synthetic = received.filter((reading) => !replays.has(reading.sensor)).length;
  // 400 sensors, one reading a second each: owed from the resumption, not from the first start.
  const due = (fastOptions.sensorCount * elapsedMillis) / fastOptions.reportMillis;
  assert.ok(synthetic <= due + fastOptions.sensorCount, `synthetic readings ${synthetic}, due about ${due}`);
  const machine = demo.status().replays.find((replay) => replay.file.startsWith('machine_temperature'));
  assert.ok(machine !== undefined);
  const machineLive = received.filter((reading) => reading.sensor === machine.sensor);
  // At 6000× a recorded 5-minute row is due every 50 ms: the first one sent is the first due now.
  assert.ok(machineLive.length > 0 && (machineLive[0] as Reading).ts <= runningAt + 50);
  const due50 = Math.floor(elapsedMillis / 50) + 1;
  assert.ok(
    machineLive.length <= due50 && machineLive.length >= due50 - 8,
    `machine replay rows: ${machineLive.length}, due ${due50}`,
  );
});

test('a city whose recordings played out long ago starts afresh, with its history on new times', async () => {
  const startedAt = Date.now();
  // At 6000× the longest recording (hourly rows, 0.6 s each) spans 73 minutes of wall time.
  const { demo, received, lines } = await startRecorded({ resumeFrom: startedAt - 2 * 3_600_000 });
  await demo.stop();
  assert.ok(demo.status().startedAtMillis >= startedAt, 'the city starts now');
  assert.ok(lines.some((line) => line.includes('played its recordings out')));
  assert.ok(
    received.some((reading) => reading.ts < startedAt),
    'its history is written again, before the new start',
  );
});

test('after a stall of an hour the sensors report one round, not a reading each at every tick for an hour', async () => {
  // Regression: the readings owed for the stalled hour (400 sensors × 3,600) went out 400 a tick
  // afterwards, every sensor reporting at each tick until they were paid off.
  let stalledMillis = 0;
  const { demo, received } = await startRecorded({}, () => Date.now() + stalledMillis);
  const replays = new Set(demo.status().replays.map((replay) => replay.sensor));
  await new Promise((resolve) => setTimeout(resolve, 200));
  const before = received.length;
  stalledMillis = 3_600_000;
  const resumedAt = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 600));
  await demo.stop();
  const elapsedMillis = Date.now() - resumedAt;
  const synthetic = received.slice(before).filter((reading) => !replays.has(reading.sensor)).length;
  // One round for the stall, then one reading a second per sensor (a tick's worth of slack).
  const due = fastOptions.sensorCount * (1 + elapsedMillis / fastOptions.reportMillis);
  assert.ok(synthetic <= due + fastOptions.sensorCount, `synthetic readings ${synthetic}, due about ${due}`);
});

test('recorded rows the platform refused or could not take are sent again: the replay has no holes', async () => {
  // Regression: a tick whose call failed (or was refused as overloaded) lost its recorded rows for
  // good, cutting holes in the failure the replay leads up to.
  const received: Reading[] = [];
  let live = false;
  let calls = 0;
  const demo = await startDemo(
    {
      registry: new MemoryRegistry(),
      ingestor: {
        async ingest(readings) {
          calls += live ? 1 : 0;
          // Once live, every other tick fails: a failed call, then one refused as overloaded.
          if (live && calls % 4 === 1) throw new Error('fetch failed');
          if (live && calls % 4 === 3) return { ok: false, reason: 'overloaded', retryAfterSeconds: 1 };
          received.push(...readings);
          return { ok: true, stored: readings.length };
        },
      },
      loadRecording: (file) => readFile(new URL(file, nabDirectory), 'utf8'),
      now: () => Date.now(),
      log: () => undefined,
    },
    fastOptions,
  );
  live = true;
  await new Promise((resolve) => setTimeout(resolve, 1500));
  live = false; // the platform recovers: a few good ticks before the end
  await new Promise((resolve) => setTimeout(resolve, 300));
  await demo.stop();
  assert.ok(calls > 12, `${calls} calls`);
  for (const replay of demo.status().replays) {
    const times = received.filter((reading) => reading.sensor === replay.sensor).map((r) => r.ts);
    assert.equal(new Set(times).size, replay.rowsSent, `${replay.file}: every row sent is stored`);
  }
});
