import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../adapters/duckdb/database.ts';
import { DuckDbMaintenanceRepository } from '../../adapters/duckdb/maintenance-repository.ts';
import { DuckDbReadingStore } from '../../adapters/duckdb/reading-store.ts';
import { MemoryBus } from '../../adapters/memory/bus.ts';
import { MemoryReadingStore } from '../../adapters/memory/reading-store.ts';
import { MemoryRegistry } from '../../adapters/memory/registry.ts';
import type { Reading } from '../../core/readings/reading.ts';
import type { BusEvent } from '../../ports/bus.ts';
import type { ReadingStore } from '../../ports/reading-store.ts';
import { DetectionService, type DetectionServiceOptions } from './detection-service.ts';
import { stepDetector } from './step-detector.test-helpers.ts';

const minute = 60_000;
/** The clock of every life: readings are timed in the minutes before it. */
const now = 1_000 * minute;
const sensor = 'pump-1.pressure';

/** One process's view of the data folder: the DuckDB file with readings, alerts and detector states. */
interface Life {
  database: Database;
  readings: DuckDbReadingStore;
  repository: DuckDbMaintenanceRepository;
  bus: MemoryBus;
  service: DetectionService;
}

async function live(dataDir: string, options: Partial<DetectionServiceOptions> = {}): Promise<Life> {
  const database = await openDatabase({ dataDir });
  const readings = await DuckDbReadingStore.open(database);
  const repository = await DuckDbMaintenanceRepository.open(database);
  const bus = new MemoryBus();
  let next = 0;
  const service = new DetectionService({
    bus,
    repository,
    states: repository,
    history: readings,
    registry: new MemoryRegistry(),
    detector: stepDetector,
    learningReadings: 0,
    learningSpanMillis: 0,
    suppressionMillis: 30 * minute,
    snapshotIntervalMillis: 0,
    alertRetryMillis: 0,
    clock: () => now,
    newId: () => `${dataDir.slice(-6)}-${Date.now()}-${(next += 1)}`,
    ...options,
  });
  return { database, readings, repository, bus, service };
}

/** The end of a process: killed (nothing more is scored or saved) or stopped. */
async function end(life: Life, how: 'killed' | 'stopped'): Promise<void> {
  if (how === 'stopped') await life.service.shutdown();
  await life.repository.close();
  await life.readings.close();
  life.database.close();
}

/** Stores readings as the ingest edge does, before they are scored: acknowledged from here on. */
async function store(readings: ReadingStore, batch: readonly Reading[]): Promise<void> {
  await readings.append({
    keys: Uint32Array.from(batch, (reading) => readings.sensorKey(reading.sensor)),
    timestamps: Float64Array.from(batch, (reading) => reading.ts),
    values: Float64Array.from(batch, (reading) => reading.value),
    length: batch.length,
  });
}

/** Stores the readings, then hands them to the detectors and waits for `alerts` alert events. */
async function ingest(life: Life, batch: readonly Reading[], alerts = 0): Promise<void> {
  await store(life.readings, batch);
  const raised = new Promise<void>((resolve) => {
    let seen = 0;
    if (alerts === 0) resolve();
    const subscription = life.bus.subscribe('events', (event) => {
      if (event.type === 'alert' && (seen += 1) === alerts) {
        subscription.unsubscribe();
        resolve();
      }
    });
  });
  life.service.accept(batch);
  await raised;
}

function at(minutes: number, value: number, id = sensor): Reading {
  return { sensor: id, ts: now - 500 * minute + minutes * minute, value };
}

async function withDataDir(work: (dataDir: string) => Promise<void>): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'detection-catch-up-'));
  try {
    await work(dataDir);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

test('a spike stored and acknowledged but not scored before kill -9 raises its alert at the restart', async () => {
  // Regression: the restart resumed from the states of the last save and scored only new live
  // readings, so a spike among the readings waiting to be scored at the crash never alerted.
  await withDataDir(async (dataDir) => {
    const first = await live(dataDir);
    await first.service.start();
    await ingest(first, [at(1, 5), at(2, 6), at(3, 5)]);
    await first.service.snapshot();
    // Stored (acknowledged), then the process dies before the detectors see them.
    await store(first.readings, [at(4, 6), at(5, 150), at(6, 5)]);
    await end(first, 'killed');

    const second = await live(dataDir);
    const started = await second.service.start();
    const alerts = await second.repository.listAlerts({ limit: 10 });
    assert.deepEqual(
      alerts.map((alert) => [alert.sensor, alert.ts]),
      [[sensor, at(5, 0).ts]],
    );
    assert.equal(started.restored, 1);
    assert.deepEqual(
      { ...started.caughtUp, millis: 0 },
      { readings: 3, sensors: 1, beyondCap: 0, millis: 0 },
    );
    // The detector learned the three readings: its state counts six.
    const [state] = await second.service.allStates();
    assert.deepEqual([...(state?.state ?? [])], [6]);
    assert.equal(state?.lastTs, at(6, 0).ts);
    await end(second, 'stopped');
  });
});

test('readings scored before kill -9 but after the last save are scored again: their alert is not raised twice, suppression holds', async () => {
  await withDataDir(async (dataDir) => {
    const first = await live(dataDir);
    await first.service.start();
    await ingest(first, [at(1, 5), at(2, 6)]);
    await first.service.snapshot();
    // Scored and alerted live, never saved in the states.
    await ingest(first, [at(3, 150), at(4, 5)], 1);
    const [before] = await first.repository.listAlerts({ limit: 10 });
    // Stored, not scored: a spike 10 min later (suppressed, as live) and one 40 min later (alerts).
    await store(first.readings, [at(13, 160), at(43, 170)]);
    await end(first, 'killed');

    const second = await live(dataDir);
    const events: BusEvent[] = [];
    second.bus.subscribe('events', (event) => void events.push(event));
    await second.service.start();
    const alerts = await second.repository.listAlerts({ limit: 10 });
    assert.deepEqual(
      alerts.map((alert) => [alert.ts, alert.id]),
      [
        [at(43, 0).ts, alerts[0]?.id],
        [at(3, 0).ts, before?.id],
      ],
      'the alert raised before the crash stands, once; the suppressed spike raised none',
    );
    const orders = await second.repository.listWorkOrders({ limit: 10 });
    assert.equal(orders.length, 1, 'one work order for the asset');
    assert.deepEqual(orders[0]?.alertIds, [before?.id, alerts[0]?.id]);
    assert.equal(orders[0]?.lastAlertAt, at(43, 0).ts);
    // Bug: the alert dropped as a repeat was still published (alert and workorder events), so the
    // dashboard showed an alert never recorded, twice.
    await new Promise((resolve) => setImmediate(resolve)); // the bus delivers on a later turn
    assert.deepEqual(
      events.map((event) => [event.type, event.ts]),
      [
        ['alert', at(43, 0).ts],
        ['workorder', now],
      ],
      'only the alert recorded at the restart is published',
    );
    assert.deepEqual(events[1]?.data, { change: 'updated', workOrder: orders[0] });
    await end(second, 'stopped');
  });
});

test('a sensor new since the last save is caught up from its first stored reading, one older than the lookback is not', async () => {
  await withDataDir(async (dataDir) => {
    const first = await live(dataDir, { clock: () => now - 400 * minute });
    await first.service.start();
    await ingest(first, [at(1, 5)]);
    // Saved at `now − 400 min`: the state of pump-1 and the time of the save.
    await first.service.snapshot();
    assert.equal(await first.repository.statesSavedAt(), now - 400 * minute);
    await store(first.readings, [
      // Timed 60 min before the save: a late device's backfill, older than the 15 min lookback.
      at(40, 5, 'valve-2.flow'),
      at(41, 150, 'valve-2.flow'),
      // A sensor first seen after the save.
      at(110, 5, 'fan-3.speed'),
      at(111, 150, 'fan-3.speed'),
    ]);
    await end(first, 'killed');

    const second = await live(dataDir);
    const { caughtUp } = await second.service.start();
    assert.equal(caughtUp?.readings, 2);
    const alerts = await second.repository.listAlerts({ limit: 10 });
    assert.deepEqual(
      alerts.map((alert) => [alert.sensor, alert.ts]),
      [['fan-3.speed', at(111, 0).ts]],
    );
    await end(second, 'stopped');
  });
});

test('with no save recorded (killed before the first snapshot), every stored reading is caught up', async () => {
  await withDataDir(async (dataDir) => {
    const first = await live(dataDir);
    await first.service.start();
    await ingest(first, [at(1, 5), at(2, 150), at(3, 5)], 1);
    await store(first.readings, [at(50, 160)]);
    await end(first, 'killed');

    const second = await live(dataDir);
    const { caughtUp, restored } = await second.service.start();
    assert.equal(restored, 0);
    assert.equal(caughtUp?.readings, 4);
    const alerts = await second.repository.listAlerts({ limit: 10 });
    assert.deepEqual(
      alerts.map((alert) => alert.ts),
      [at(50, 0).ts, at(2, 0).ts],
    );
    await end(second, 'stopped');
  });
});

test('the catch-up scores at most catchUpReadings, the newest, and counts the older ones it left', async () => {
  await withDataDir(async (dataDir) => {
    const first = await live(dataDir);
    await first.service.start();
    await ingest(first, [at(1, 5)]);
    await first.service.snapshot();
    await store(first.readings, [at(2, 150), at(3, 5), at(4, 5), at(50, 160), at(51, 5)]);
    await end(first, 'killed');

    const second = await live(dataDir, { catchUpReadings: 2 });
    const { caughtUp } = await second.service.start();
    assert.equal(caughtUp?.readings, 2);
    assert.equal(caughtUp?.beyondCap, 3);
    const alerts = await second.repository.listAlerts({ limit: 10 });
    assert.deepEqual(
      alerts.map((alert) => alert.ts),
      [at(50, 0).ts],
    );
    await end(second, 'stopped');
  });
});

test('readings timed more than futureToleranceMillis ahead of the clock keep their rule at the catch-up: not scored', async () => {
  await withDataDir(async (dataDir) => {
    const first = await live(dataDir);
    await first.service.start();
    await ingest(first, [at(1, 5)]);
    await first.service.snapshot();
    const ahead = { sensor, ts: now + 2 * 60 * minute, value: 150 };
    await store(first.readings, [at(2, 5), ahead]);
    await end(first, 'killed');

    const second = await live(dataDir);
    const { caughtUp } = await second.service.start();
    assert.equal(caughtUp?.readings, 1);
    assert.deepEqual(await second.repository.listAlerts({ limit: 10 }), []);
    const [state] = await second.service.allStates();
    assert.equal(state?.lastTs, at(2, 0).ts, 'the reading ahead did not move the detector past later ones');
    await end(second, 'stopped');
  });
});

test('after a clean stop the restart catches up with nothing', async () => {
  await withDataDir(async (dataDir) => {
    const first = await live(dataDir);
    await first.service.start();
    await ingest(first, [at(1, 5), at(2, 150)], 1);
    await end(first, 'stopped');
    const second = await live(dataDir);
    const { caughtUp } = await second.service.start();
    assert.deepEqual({ ...caughtUp, millis: 0 }, { readings: 0, sensors: 0, beyondCap: 0, millis: 0 });
    await end(second, 'stopped');
  });
});

test('the DuckDB and in-memory stores read back the same readings for a catch-up', async () => {
  await withDataDir(async (dataDir) => {
    const database = await openDatabase({ dataDir });
    const duckdb = await DuckDbReadingStore.open(database);
    const memory = new MemoryReadingStore();
    const batch = [
      at(1, 1, 'a'),
      at(2, 2, 'a'),
      at(3, 3, 'a'),
      at(1, 4, 'b'),
      at(5, 5, 'b'),
      at(2.5, 6, 'c'),
      at(9, 7, 'c'),
      at(600, 8, 'c'),
    ];
    for (const readings of [duckdb, memory]) await store(readings, batch);
    const query = {
      afterBySensor: new Map([
        ['a', at(1, 0).ts],
        ['missing', 0],
      ]),
      othersFromMillis: at(2, 0).ts,
      toMillis: now,
      limit: 4,
    };
    const answers = await Promise.all([duckdb.readingsAfter(query), memory.readingsAfter(query)]);
    for (const answer of answers) {
      assert.deepEqual(
        {
          sensors: answer.sensors,
          timestamps: [...answer.timestamps],
          values: [...answer.values],
          matched: answer.matched,
        },
        {
          sensors: ['c', 'a', 'b', 'c'],
          timestamps: [at(2.5, 0).ts, at(3, 0).ts, at(5, 0).ts, at(9, 0).ts],
          values: [6, 3, 5, 7],
          matched: 5,
        },
      );
    }
    await duckdb.close();
    database.close();
  });
});

test('states loaded in several chunks are all restored, and each sensor is caught up from its own last reading', async () => {
  // The DuckDB repository hands states over 10,000 at a time: 25,000 sensors take three chunks.
  const sensors = Array.from({ length: 25_000 }, (_, index) => `s${index}.level`);
  await withDataDir(async (dataDir) => {
    const first = await live(dataDir);
    await first.service.start();
    await ingest(
      first,
      sensors.map((id) => at(1, 5, id)),
    );
    await first.service.snapshot();
    await store(
      first.readings,
      sensors.map((id) => at(2, 6, id)),
    );
    await end(first, 'killed');

    const second = await live(dataDir);
    const started = await second.service.start();
    assert.equal(started.restored, 25_000);
    assert.deepEqual(
      { ...started.caughtUp, millis: 0 },
      { readings: 25_000, sensors: 25_000, beyondCap: 0, millis: 0 },
      'only the reading stored after the save, for every sensor',
    );
    const states = await second.service.allStates();
    assert.equal(states.length, 25_000);
    assert.ok(
      states.every(
        (state) => state.state.length === 1 && state.state[0] === 2 && state.lastTs === at(2, 0).ts,
      ),
      'every detector learned both readings once',
    );
    await end(second, 'stopped');
  });
});
