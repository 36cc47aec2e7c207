/**
 * Live detection path, for every registered detector side by side: readings per second through
 * the per-sensor detectors of the detection service on one core (alerting rules and score history
 * included) and through the bare detectors on the same stream; bytes of detector state per sensor
 * (snapshot) and in memory (heap measured); time to save and load the states of 100,000 sensors, and
 * their bytes on disk, in the snapshot file and in DuckDB. One JSON line on stdout, also written to bench/results/detection.json. Progress on stderr.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { openDatabase } from '../src/adapters/duckdb/database.ts';
import { DuckDbMaintenanceRepository } from '../src/adapters/duckdb/maintenance-repository.ts';
import { DetectorSnapshotFile, snapshotPathIn } from '../src/adapters/files/detector-snapshot-file.ts';
import type { DetectorState } from '../src/ports/maintenance.ts';
import type { DetectorSpec } from '../src/core/anomaly/detector.ts';
import { DEFAULT_DETECTOR_NAME, DETECTORS } from '../src/core/anomaly/registry.ts';
import type { Reading } from '../src/core/readings/reading.ts';
import { SensorDetectors } from '../src/services/detection/sensor-detectors.ts';
import { parseArgs } from 'node:util';
import { benchArguments } from './arguments.ts';

// No options: `--help` prints what this measures; anything else is refused.
benchArguments(import.meta.url, () => parseArgs({ options: {} }));

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const here = path.dirname(fileURLToPath(import.meta.url));
const csv = path.resolve(
  here,
  '../../shared/data/nab/data/realKnownCause/machine_temperature_system_failure.csv',
);

const sensorCount = 10_000;
const readingsPerSensor = 200;
const batchSize = 1_000;
const historyPoints = 48;
const evidencePoints = 12;
const values = readFileSync(csv, 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => Number(line.split(',')[1]));

/** Sensor k replays the machine-temperature series from its own offset, at 5-minute steps. */
function batches(): Reading[][] {
  const all: Reading[][] = [];
  let batch: Reading[] = [];
  for (let step = 0; step < readingsPerSensor; step += 1) {
    for (let k = 0; k < sensorCount; k += 1) {
      const value = values[(k * 37 + step) % values.length] ?? 0;
      batch.push({ sensor: `sensor-${k}`, ts: step * 300_000, value });
      if (batch.length === batchSize) {
        all.push(batch);
        batch = [];
      }
    }
  }
  if (batch.length > 0) all.push(batch);
  return all;
}

function newDetectors(spec: DetectorSpec): SensorDetectors {
  return new SensorDetectors({
    detector: spec,
    threshold: spec.threshold,
    suppressionMillis: 3_600_000,
    evidencePoints,
    historyPoints,
  });
}

const stream = batches();
const total = sensorCount * readingsPerSensor;
process.stderr.write(`detection: ${total} readings over ${sensorCount} sensors, batches of ${batchSize}\n`);

const round = (value: number, digits = 0): number => Number(value.toFixed(digits));

/**
 * Heap and array buffers in use after full collections. Array buffer memory is released by a
 * background sweep after the collection, so the figure is read after a pause and a second one.
 */
async function usedBytes(): Promise<number> {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 100));
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/**
 * Best of three passes through the service and through bare detectors. A function of its own so
 * that its detectors are garbage by the time memory is measured.
 */
function measureSpeed(spec: DetectorSpec): {
  bestService: number;
  bestBare: number;
  crossings: number;
  states: DetectorState[];
} {
  let bestService = Infinity;
  let bestBare = Infinity;
  let crossings = 0;
  let states: DetectorState[] = [];
  for (let pass = 0; pass < 3; pass += 1) {
    const detectors = newDetectors(spec);
    let start = performance.now();
    crossings = 0;
    for (const batch of stream) crossings += detectors.process(batch).length;
    const service = performance.now() - start;
    states = detectors.takeStates(true);
    const bare = new Map<string, ReturnType<typeof spec.create>>();
    start = performance.now();
    for (const batch of stream) {
      for (const reading of batch) {
        let detector = bare.get(reading.sensor);
        if (detector === undefined) {
          detector = spec.create();
          bare.set(reading.sensor, detector);
        }
        detector.update(reading.ts, reading.value);
      }
    }
    const bareMillis = performance.now() - start;
    bestService = Math.min(bestService, service);
    bestBare = Math.min(bestBare, bareMillis);
    process.stderr.write(
      `detection: ${spec.name} pass ${pass + 1}: service ${Math.round(total / (service / 1000))}/s, bare ${Math.round(total / (bareMillis / 1000))}/s\n`,
    );
  }
  return { bestService, bestBare, crossings, states };
}

async function measure(spec: DetectorSpec): Promise<Record<string, number>> {
  const speed = measureSpeed(spec);
  const { bestService, bestBare, crossings } = speed;

  // Memory per sensor: heap + array buffers of 100,000 sensors after one reading each, minus the baseline.
  const before = await usedBytes();
  const resident = newDetectors(spec);
  for (let k = 0; k < memorySensors; k += 1) resident.process([{ sensor: `sensor-${k}`, ts: 1, value: k }]);
  const memoryPerSensor = ((await usedBytes()) - before) / memorySensors;
  const snapshotBytes = Math.max(...resident.takeStates(true).map((state) => state.state.byteLength));

  // States after the stream's 200 readings a sensor (its 10,000 sensors ten times over, under other
  // names), saved and loaded as the server does, 10,000 states a write: to the snapshot file (the
  // embedded default) and, beside it, to DuckDB (where they were saved before).
  const states = Array.from({ length: memorySensors / sensorCount }, (_, copy) =>
    speed.states.map((state) => ({ ...state, sensor: `${state.sensor}-${copy}` })),
  ).flat();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'detection-bench-'));
  const emptyDatabase = await databaseBytes(path.join(dataDir, 'empty'));
  const chunks = Array.from({ length: Math.ceil(states.length / 10_000) }, (_, i) =>
    states.slice(i * 10_000, (i + 1) * 10_000),
  );
  const snapshot = new DetectorSnapshotFile(snapshotPathIn(dataDir));
  const file = await timeSaveAndLoad(states.length, {
    save: async () => {
      await snapshot.beginSnapshot();
      for (const chunk of chunks) await snapshot.saveDetectorStates(chunk);
      await snapshot.markStatesSaved(Date.now());
    },
    load: (each) => snapshot.loadDetectorStates(each),
  });
  const database = await openDatabase({ dataDir });
  const repository = await DuckDbMaintenanceRepository.open(database);
  const duckdb = await timeSaveAndLoad(states.length, {
    save: async () => {
      for (const chunk of chunks) await repository.saveDetectorStates(chunk);
    },
    load: (each) => repository.loadDetectorStates(each),
  });
  await repository.close();
  database.close();
  const fileBytes = statSync(snapshotPathIn(dataDir)).size;
  const duckdbBytes = statSync(database.path).size - emptyDatabase;
  rmSync(dataDir, { recursive: true, force: true });
  return {
    readings_per_s: round(total / (bestService / 1000)),
    bare_detector_readings_per_s: round(total / (bestBare / 1000)),
    service_over_bare: round(bestBare / bestService, 3),
    crossings,
    snapshot_bytes_per_sensor: snapshotBytes,
    memory_bytes_per_sensor: round(memoryPerSensor),
    file_save_ms_100k_states: round(file.saveMillis),
    file_load_ms_100k_states: round(file.loadMillis),
    duckdb_save_ms_100k_states: round(duckdb.saveMillis),
    duckdb_load_ms_100k_states: round(duckdb.loadMillis),
    file_bytes_per_state: round(fileBytes / states.length),
    duckdb_bytes_per_state: round(duckdbBytes / states.length),
  };
}

/** Bytes of a database with the maintenance tables and nothing in them, once closed. */
async function databaseBytes(dataDir: string): Promise<number> {
  const database = await openDatabase({ dataDir });
  await (await DuckDbMaintenanceRepository.open(database)).close();
  database.close();
  return statSync(database.path).size;
}

/** Times a save of `count` states, then a load of them (which must hand back as many). */
async function timeSaveAndLoad(
  count: number,
  store: {
    save: () => Promise<void>;
    load: (each: (chunk: DetectorState[]) => Promise<void>) => Promise<void>;
  },
): Promise<{ saveMillis: number; loadMillis: number }> {
  let start = performance.now();
  await store.save();
  const saveMillis = performance.now() - start;
  start = performance.now();
  let loaded = 0;
  await store.load(async (chunk) => {
    loaded += chunk.length;
  });
  const loadMillis = performance.now() - start;
  if (loaded !== count) throw new Error(`saved ${count} states, loaded ${loaded}`);
  return { saveMillis, loadMillis };
}

const memorySensors = 100_000;
const detectors: Record<string, Record<string, number>> = {};
for (const spec of DETECTORS.values()) detectors[spec.name] = await measure(spec);

const line = {
  bench: 'detection',
  default_detector: DEFAULT_DETECTOR_NAME,
  readings: total,
  sensors: sensorCount,
  batch_size: batchSize,
  history_points: historyPoints,
  // Every sensor keeps its evidence ring; the long series only once its scores are asked for or it alerts.
  evidence_ring_bytes_per_sensor: (2 + 3 * evidencePoints) * 8,
  history_ring_bytes_per_watched_sensor: (2 + 3 * historyPoints) * 8,
  memory_sensors: memorySensors,
  ...detectors[DEFAULT_DETECTOR_NAME],
  detectors,
  node: process.version,
};
const json = JSON.stringify(line);
process.stdout.write(`${json}\n`);
await mkdir(path.join(here, 'results'), { recursive: true });
await writeFile(path.join(here, 'results', 'detection.json'), `${json}\n`);
