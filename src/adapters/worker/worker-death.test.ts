import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus } from '../memory/bus.ts';
import { MemoryMaintenanceRepository } from '../memory/maintenance-repository.ts';
import { MemoryReadingStore } from '../memory/reading-store.ts';
import { MemoryRegistry } from '../memory/registry.ts';
import type { Reading } from '../../core/readings/reading.ts';
import { DetectionService } from '../../services/detection/detection-service.ts';
import { findDetector } from '../../core/anomaly/registry.ts';
import type { DetectorSpec } from '../../core/anomaly/detector.ts';
import { noiseSource } from '../../core/anomaly/synthetic.test-helpers.ts';
import { WorkerScoring } from './worker-scoring.ts';

const minute = 60_000;
const now = 10_000 * minute;

test('a real scoring thread that dies of memory exhaustion is replaced and caught up: a spike sent as it died alerts once, and every sensor is known', async () => {
  const repository = new MemoryMaintenanceRepository();
  const store = new MemoryReadingStore();
  const errors: string[] = [];
  const engines: WorkerScoring[] = [];
  const service = new DetectionService({
    bus: new MemoryBus(),
    repository,
    states: repository,
    history: store,
    registry: new MemoryRegistry(),
    detector: findDetector('rarity') as DetectorSpec,
    learningReadings: 0,
    learningSpanMillis: 0,
    snapshotIntervalMillis: 0,
    alertRetryMillis: 0,
    clock: () => now,
    // The first thread may hold only a few MB of heap: many new sensors kill it, as a real thread
    // dies (ERR_WORKER_OUT_OF_MEMORY). Its replacement has the default limits.
    engine: (options) => {
      const engine = new WorkerScoring(
        options,
        engines.length === 0 ? { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 2 } : undefined,
      );
      engines.push(engine);
      return engine;
    },
    onError: (error) => errors.push(String(error)),
  });
  await service.start();
  const stored = async (batch: Reading[]) => {
    await store.append({
      keys: Uint32Array.from(batch, (reading) => store.sensorKey(reading.sensor)),
      timestamps: Float64Array.from(batch, (reading) => reading.ts),
      values: Float64Array.from(batch, (reading) => reading.value),
      length: batch.length,
    });
    service.accept(batch);
  };
  const sensors = 60_000;
  const pump = 'pump-1.pressure';
  const noise = noiseSource(3);
  const spikeTs = now - 4 * minute;
  const history: Reading[] = [];
  for (let at = 1_000; at > 4; at--)
    history.push({ sensor: pump, ts: now - at * minute, value: 10 + noise() });
  await stored(history);
  for (let start = 0; start < sensors; start += 10_000) {
    const batch: Reading[] = [];
    for (let index = start; index < start + 10_000; index++) {
      batch.push({ sensor: `load-${index}.value`, ts: spikeTs, value: index % 7 });
    }
    if (start === sensors / 2) batch.push({ sensor: pump, ts: spikeTs, value: 150 });
    await stored(batch);
  }
  await service.forceFlush();
  assert.ok(engines.length >= 2, 'the thread died and was replaced');
  assert.ok(service.status().restarts >= 1);
  assert.equal(service.status().sensors, sensors + 1, 'every sensor is known to the replacement');
  const alerts = await repository.listAlerts({ limit: 1_000 });
  assert.equal(
    alerts.filter((alert) => alert.sensor === pump && alert.ts === spikeTs).length,
    1,
    'the spike raised its alert once',
  );
  assert.ok(
    errors.some((error) => /the detectors stopped \(.*\) and were restarted/.test(error)),
    errors.join('\n'),
  );
  await service.shutdown();
});
