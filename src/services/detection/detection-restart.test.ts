import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../adapters/duckdb/database.ts';
import { DuckDbMaintenanceRepository } from '../../adapters/duckdb/maintenance-repository.ts';
import { DetectorSnapshotFile, snapshotPathIn } from '../../adapters/files/detector-snapshot-file.ts';
import { MemoryBus } from '../../adapters/memory/bus.ts';
import { MemoryMaintenanceRepository } from '../../adapters/memory/maintenance-repository.ts';
import { MemoryRegistry } from '../../adapters/memory/registry.ts';
import { DEFAULT_DETECTOR_NAME, findDetector } from '../../core/anomaly/registry.ts';
import type { DetectorSpec } from '../../core/anomaly/detector.ts';
import type { Reading } from '../../core/readings/reading.ts';
import { DetectionService } from './detection-service.ts';

const csv = new URL(
  '../../../../shared/data/nab/data/realKnownCause/machine_temperature_system_failure.csv',
  import.meta.url,
);
const detector = findDetector(DEFAULT_DETECTOR_NAME);

function readings(): Reading[] {
  return readFileSync(csv, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [ts = '', value = ''] = line.split(',');
      return { sensor: 'machine', ts: Date.parse(`${ts.replace(' ', 'T')}Z`), value: Number(value) };
    });
}

test('a restart on the same data folder (DuckDB file, states snapshot) resumes every detector exactly where it stopped', async () => {
  assert.ok(detector);
  const all = readings();
  const half = Math.floor(all.length / 2);
  const tail = all.slice(half, half + 2000);

  // Uninterrupted: the scores of the tail when the detector saw everything before it.
  const reference = new DetectionService({
    bus: new MemoryBus(),
    repository: new MemoryMaintenanceRepository(),
    states: { saveDetectorStates: async () => undefined, loadDetectorStates: async () => undefined },
    registry: new MemoryRegistry(),
    detector,
    historyPoints: tail.length,
    snapshotIntervalMillis: 0,
  });
  reference.accept(all.slice(0, half));
  // Asking for a sensor's scores keeps its long score series from then on.
  await reference.scores('machine', -Infinity, Infinity);
  reference.accept(tail);
  const expected = (await reference.scores('machine', -Infinity, Infinity))?.map((p) => p.score);
  await reference.shutdown();

  const dataDir = mkdtempSync(join(tmpdir(), 'detection-restart-'));
  try {
    async function run(batch: Reading[]): Promise<{ service: DetectionService; restored: number }> {
      const database = await openDatabase({ dataDir });
      const repository = await DuckDbMaintenanceRepository.open(database);
      const service = new DetectionService({
        bus: new MemoryBus(),
        repository,
        states: new DetectorSnapshotFile(snapshotPathIn(dataDir), repository),
        registry: new MemoryRegistry(),
        detector: detector!,
        historyPoints: tail.length,
        snapshotIntervalMillis: 0,
      });
      const started = await service.start();
      await service.scores('machine', -Infinity, Infinity);
      service.accept(batch);
      await service.shutdown();
      await repository.close();
      database.close();
      return { service, restored: started.restored };
    }
    assert.equal((await run(all.slice(0, half))).restored, 0);
    const second = await run(tail);
    assert.equal(second.restored, 1, 'the saved detector was restored');
    const resumed = (await second.service.scores('machine', -Infinity, Infinity))?.map((p) => p.score);
    assert.ok(expected && resumed);
    assert.equal(resumed.length, tail.length);
    assert.deepEqual(resumed, expected, 'scores after the restart equal those of an uninterrupted run');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

/** Scores 1 from a value of 100 up, else 0; it keeps no state. */
const stepDetector: DetectorSpec = {
  name: 'step',
  summary: 'scores 1 from a value of 100 up',
  threshold: 0.5,
  create: () => ({
    update: (_ts: number, value: number) => (value >= 100 ? 1 : 0),
    snapshot: () => new Uint8Array(),
  }),
  restore: () => stepDetector.create(),
};

test('readings scored again after a crash (detector states saved before their alert) raise no second alert', async () => {
  // Regression: after `kill -9` the detectors resume from a snapshot up to five minutes old; a
  // client re-sending a batch it got no answer for had its alert recorded again, with a new id,
  // and counted twice in the work order.
  const dataDir = mkdtempSync(join(tmpdir(), 'detection-crash-'));
  const batch: Reading[] = [
    { sensor: 'pump-7.pressure', ts: 60_000, value: 5 },
    { sensor: 'pump-7.pressure', ts: 120_000, value: 150 },
  ];
  try {
    const database = await openDatabase({ dataDir });
    const repository = await DuckDbMaintenanceRepository.open(database);
    for (let life = 0; life < 2; life++) {
      // Each life restores the same (empty) states, as a process killed before its snapshot does.
      const service = new DetectionService({
        bus: new MemoryBus(),
        repository,
        states: { saveDetectorStates: async () => undefined, loadDetectorStates: async () => undefined },
        registry: new MemoryRegistry(),
        detector: stepDetector,
        snapshotIntervalMillis: 0,
      });
      await service.start();
      service.accept(batch);
      await service.shutdown();
    }
    const alerts = await repository.listAlerts({ limit: 10 });
    assert.deepEqual(
      alerts.map((alert) => [alert.sensor, alert.ts]),
      [['pump-7.pressure', 120_000]],
    );
    const orders = await repository.listWorkOrders({ limit: 10 });
    assert.equal(orders.length, 1);
    assert.deepEqual(orders[0]?.alertIds, [alerts[0]?.id]);
    await repository.close();
    database.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
