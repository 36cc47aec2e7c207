import { test } from 'node:test';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { findDetector } from '../../core/anomaly/registry.ts';
import type { DetectorSpec } from '../../core/anomaly/detector.ts';
import { noiseSource, timestampAt } from '../../core/anomaly/synthetic.test-helpers.ts';
import type { Reading } from '../../core/readings/reading.ts';
import { withSensorKeys } from '../../core/readings/reading-batch.ts';
import type { DetectorState } from '../../ports/maintenance.ts';
import type { ScoringEngine } from '../../ports/scoring.ts';
import { InProcessScoring } from '../../services/detection/in-process-scoring.ts';
import type { SensorDetectorsOptions } from '../../services/detection/sensor-detectors.ts';
import { WorkerScoring } from './worker-scoring.ts';

const rarity = findDetector('rarity') as DetectorSpec;
const options: SensorDetectorsOptions = {
  detector: rarity,
  threshold: rarity.threshold,
  suppressionMillis: 3_600_000,
  evidencePoints: 12,
  historyPoints: 48,
  learningReadings: 0,
};

/** Three sensors of noise, interleaved; one steps up by 8σ and another freezes, late in the stream. */
function stream(length: number): Reading[] {
  const noise = noiseSource(7);
  const readings: Reading[] = [];
  for (let index = 0; index < length; index++) {
    const ts = timestampAt(index);
    readings.push({ sensor: 'pump-1/pressure', ts, value: 10 + noise() + (index > length * 0.8 ? 8 : 0) });
    readings.push({ sensor: 'main-2/flow', ts, value: index > length * 0.7 ? 3 : 3 + noise() });
    readings.push({ sensor: 'bridge-3/strain', ts, value: 100 + 5 * noise() });
  }
  return readings;
}

async function feed(engine: ScoringEngine, readings: Reading[], batch: number) {
  const pending = [];
  for (let start = 0; start < readings.length; start += batch) {
    pending.push(engine.score(readings.slice(start, start + batch)));
  }
  return (await Promise.all(pending)).flat();
}

test('scores on its own thread exactly as on the caller’s: crossings, history and saved states', async () => {
  const readings = stream(3_000);
  const local = new InProcessScoring(options);
  const threaded = new WorkerScoring(options);
  try {
    const expected = await feed(local, readings, 500);
    const first = threaded.score(readings.slice(0, 500));
    assert.equal(threaded.backlogReadings(), 500, 'a batch handed over counts as backlog until scored');
    const rest = await feed(threaded, readings.slice(500), 500);
    const crossings = [...(await first), ...rest];
    assert.ok(expected.length > 0, 'the step and the freeze raise crossings');
    assert.deepEqual(crossings, expected);
    assert.equal(threaded.backlogReadings(), 0);
    assert.equal(threaded.sensorCount(), 3);
    for (const sensor of ['pump-1/pressure', 'main-2/flow', 'nobody']) {
      assert.deepEqual(await threaded.history(sensor, 0, Infinity), await local.history(sensor, 0, Infinity));
    }
    const states = await threaded.takeStates(true);
    assert.deepEqual(
      states.map((s) => ({ ...s, state: [...s.state] })),
      (await local.takeStates(true)).map((s) => ({ ...s, state: [...s.state] })),
    );
    assert.deepEqual(await threaded.takeStates(false), [], 'taking states marks them clean');
    const sweep = [await threaded.takeStates(true, 2), await threaded.takeStates(false, 2, true)];
    assert.deepEqual(
      sweep.map((chunk) => chunk.map((s) => s.sensor)),
      [states.slice(0, 2).map((s) => s.sensor), states.slice(2).map((s) => s.sensor)],
      'a resumed take goes on where the one before stopped',
    );
  } finally {
    await threaded.close();
  }
});

test('batches carrying store keys score exactly as batches of ids, on its thread and on the caller’s', async () => {
  const readings = stream(3_000);
  const reference = new InProcessScoring(options);
  const expected = await feed(reference, readings, 500);
  const expectedStates = (await reference.takeStates(true)).map((s) => ({ ...s, state: [...s.state] }));
  // Keys as a store gives them, far apart here so that the tables behind them must grow.
  const keyOf = new Map([
    ['pump-1/pressure', 70_000],
    ['main-2/flow', 3],
    ['bridge-3/strain', 1_500],
  ]);
  for (const engine of [new InProcessScoring(options), new WorkerScoring(options)]) {
    try {
      const pending = [];
      for (let start = 0; start < readings.length; start += 500) {
        const part = readings.slice(start, start + 500);
        const keys = Int32Array.from(part, (reading) => keyOf.get(reading.sensor) as number);
        pending.push(engine.score(withSensorKeys(part, keys)));
      }
      assert.deepEqual((await Promise.all(pending)).flat(), expected);
      assert.equal(engine.sensorCount(), 3);
      const states = (await engine.takeStates(true)).map((s) => ({ ...s, state: [...s.state] }));
      assert.deepEqual(states, expectedStates);
    } finally {
      await engine.close();
    }
  }
});

test('a restored thread continues where the saved states left off', async () => {
  const readings = stream(2_000);
  const half = readings.length / 2;
  const local = new InProcessScoring(options);
  const expected = await feed(local, readings, 400);
  const before = new WorkerScoring(options);
  await feed(before, readings.slice(0, half), 400);
  const saved = await before.takeStates(true);
  await before.close();
  const after = new WorkerScoring(options);
  try {
    assert.deepEqual(await after.restore(saved), { restored: 3, skipped: 0 });
    const resumed = await feed(after, readings.slice(half), 400);
    assert.deepEqual(
      resumed,
      expected.filter((crossing) => crossing.ts >= (readings[half] as Reading).ts),
    );
  } finally {
    await after.close();
  }
});

test('refuses a detector it cannot build on a thread, and requests after close', async () => {
  assert.throws(
    () => new WorkerScoring({ ...options, detector: { ...rarity, name: 'home-made' } }),
    /not a registered one/,
  );
  const engine = new WorkerScoring(options);
  await engine.close();
  await assert.rejects(engine.score(stream(1)), /closed/);
});

test('on its thread with a memory budget, states wait in a file in the folder, removed at close', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'spill-'));
  const readings = stream(2_000);
  // One sensor's state in memory: the three take turns in the file.
  const budget = { ...options, stateMemoryBytes: 2_000, spillFolder: folder };
  const local = new InProcessScoring(options);
  const threaded = new WorkerScoring(budget);
  try {
    const expected = await feed(local, readings, 500);
    assert.ok(expected.length > 0);
    assert.deepEqual(await feed(threaded, readings, 500), expected);
    const files = await readdir(folder);
    assert.equal(files.length, 1);
    assert.match(files[0] ?? '', /^detector-states-[0-9a-f]{8}\.spill$/);
    assert.ok((await stat(join(folder, files[0] ?? ''))).size > 0);
    assert.deepEqual(
      await threaded.history('pump-1/pressure', 0, Infinity),
      await local.history('pump-1/pressure', 0, Infinity),
    );
    const sorted = (states: DetectorState[]) => [...states].sort((a, b) => a.sensor.localeCompare(b.sensor));
    assert.deepEqual(sorted(await threaded.takeStates(true)), sorted(await local.takeStates(true)));
  } finally {
    await threaded.close();
    await local.close();
  }
  assert.deepEqual(await readdir(folder), [], 'the file is gone once the thread closed');
  await rm(folder, { recursive: true, force: true });
});

test('a thread that dies holding its spill leaves no file behind', async () => {
  // Bug: the file was named and deleted by the thread alone, so a thread that died left it until
  // the next start (about 1.2 GB for a million sensors).
  const folder = await mkdtemp(join(tmpdir(), 'spill-'));
  const budget = { ...options, stateMemoryBytes: 2_000, spillFolder: folder };
  // A few MB of heap: many new sensors kill the thread, as a real one dies (ERR_WORKER_OUT_OF_MEMORY).
  const threaded = new WorkerScoring(budget, { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 2 });
  try {
    await feed(threaded, stream(200), 100);
    assert.equal((await readdir(folder)).length, 1, 'states wait in a file');
    const failure = await (async () => {
      for (let round = 0; round < 200; round++) {
        const batch = Array.from({ length: 5_000 }, (_, index) => ({
          sensor: `sensor-${round}-${index}`,
          ts: 1_000 + round,
          value: index,
        }));
        try {
          await threaded.score(batch);
        } catch (error) {
          return error as Error;
        }
      }
      return undefined;
    })();
    assert.match(String(failure), /ERR_WORKER_OUT_OF_MEMORY/);
    assert.ok(threaded.broken());
    // The exit is handled as it is reported: give it a moment.
    for (let wait = 0; wait < 50 && (await readdir(folder)).length > 0; wait++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(await readdir(folder), [], 'the dead thread’s file is gone');
  } finally {
    await threaded.close();
    await rm(folder, { recursive: true, force: true });
  }
});

test('ready resolves once the thread answers, and rejects once the thread is gone', async () => {
  const threaded = new WorkerScoring(options);
  await threaded.ready();
  assert.equal(threaded.broken(), false);
  await threaded.close();
  await assert.rejects(threaded.ready(), /the scoring thread is closed/);
});
