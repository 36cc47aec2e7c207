import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus } from '../../adapters/memory/bus.ts';
import { MemoryMaintenanceRepository } from '../../adapters/memory/maintenance-repository.ts';
import { MemoryRegistry } from '../../adapters/memory/registry.ts';
import type { BusEvent } from '../../ports/bus.ts';
import type { Reading } from '../../core/readings/reading.ts';
import { DetectionService } from './detection-service.ts';
import { InProcessScoring } from './in-process-scoring.ts';
import { stepDetector } from './step-detector.test-helpers.ts';
import { allSavedStates } from '../../adapters/saved-states.test-helpers.ts';

const minute = 60_000;

/** The step detector over an empty registry, states kept in `repository`, no snapshot timer. */
function bareService(
  repository: MemoryMaintenanceRepository,
  options: Partial<ConstructorParameters<typeof DetectionService>[0]>,
): DetectionService {
  return new DetectionService({
    bus: new MemoryBus(),
    repository,
    states: repository,
    registry: new MemoryRegistry(),
    detector: stepDetector,
    snapshotIntervalMillis: 0,
    ...options,
  });
}

async function setup() {
  const bus = new MemoryBus();
  const repository = new MemoryMaintenanceRepository();
  const registry = new MemoryRegistry();
  await registry.putAssets([{ id: 'pump-1', type: 'pump', name: 'Pump 1', lat: null, lon: null, tags: {} }]);
  await registry.putSensors(
    ['temp', 'vibration'].map((id) => ({
      id,
      kind: id,
      unit: '',
      asset: 'pump-1',
      lat: null,
      lon: null,
      tags: {},
    })),
  );
  let next = 0;
  const service = bareService(repository, {
    bus,
    registry,
    suppressionMillis: 30 * minute,
    evidencePoints: 3,
    clock: () => 1_000_000,
    // These tests' readings run hours past their fixed clock.
    futureToleranceMillis: Number.POSITIVE_INFINITY,
    newId: () => `id-${(next += 1)}`,
  });
  const events: BusEvent[] = [];
  bus.subscribe('events', (event) => {
    events.push(event);
  });
  return { bus, repository, registry, service, events };
}

test('a crossing on accepted readings raises an alert with its evidence and opens a work order', async () => {
  const { bus, repository, service, events } = await setup();
  await service.start();
  await bus.publish('readings', [
    { sensor: 'temp', ts: 1 * minute, value: 20 },
    { sensor: 'temp', ts: 2 * minute, value: 21 },
    { sensor: 'temp', ts: 3 * minute, value: 150 },
  ]);
  await new Promise((resolve) => setImmediate(resolve)); // the bus delivers on a later turn
  await service.forceFlush();
  const alerts = await repository.listAlerts({ limit: 10 });
  assert.equal(alerts.length, 1);
  const [alert] = alerts;
  assert.ok(alert);
  assert.equal(alert.sensor, 'temp');
  assert.equal(alert.asset, 'pump-1');
  assert.equal(alert.ts, 3 * minute);
  assert.deepEqual(
    alert.evidence.map((p) => [p.ts, p.value, p.score]),
    [
      [1 * minute, 20, 0],
      [2 * minute, 21, 0],
      [3 * minute, 150, 1],
    ],
  );
  const orders = await repository.listWorkOrders({ limit: 10 });
  assert.equal(orders.length, 1);
  assert.equal(orders[0]?.id, alert.workOrder);
  assert.equal(orders[0]?.firstWarningAt, 3 * minute);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(
    events.map((event) => [event.type, event.data['change'] ?? null]),
    [
      ['alert', null],
      ['workorder', 'opened'],
    ],
  );
  await service.shutdown();
});

test('alerts of two sensors of one asset share one work order, and re-alerts are suppressed', async () => {
  const { repository, service } = await setup();
  await service.start();
  service.accept([
    { sensor: 'temp', ts: 1 * minute, value: 150 },
    { sensor: 'temp', ts: 2 * minute, value: 150 },
    { sensor: 'vibration', ts: 2 * minute, value: 150 },
    { sensor: 'temp', ts: 31 * minute, value: 150 },
  ]);
  await service.forceFlush();
  const alerts = await repository.listAlerts({ limit: 10 });
  assert.deepEqual(
    alerts.map((a) => [a.sensor, a.ts]),
    [
      ['temp', 31 * minute],
      ['vibration', 2 * minute],
      ['temp', 1 * minute],
    ],
  );
  const orders = await repository.listWorkOrders({ limit: 10 });
  assert.equal(orders.length, 1);
  assert.deepEqual(orders[0]?.sensors, ['temp', 'vibration']);
  assert.equal(orders[0]?.alertIds.length, 3);
  await service.shutdown();
});

test('a verdict moves the order through its lifecycle, and a new alert after resolution opens a new order', async () => {
  const { repository, service } = await setup();
  await service.start();
  service.accept([{ sensor: 'temp', ts: 1 * minute, value: 150 }]);
  await service.forceFlush();
  const [order] = await repository.listWorkOrders({ limit: 1 });
  assert.ok(order);
  const acknowledged = await service.verdict(order.id, {
    action: 'acknowledge',
    by: 'op-key',
    note: 'on it',
  });
  assert.equal(acknowledged.ok && acknowledged.order.status, 'acknowledged');
  const again = await service.verdict(order.id, { action: 'acknowledge', by: 'op-key', note: null });
  assert.deepEqual(again, {
    ok: false,
    reason: 'invalid-transition',
    status: 'acknowledged',
    action: 'acknowledge',
  });
  assert.deepEqual(await service.verdict('missing', { action: 'resolve', by: 'op', note: null }), {
    ok: false,
    reason: 'not-found',
  });
  const resolved = await service.verdict(order.id, {
    action: 'resolve',
    by: 'op-key',
    note: 'bearing replaced',
  });
  assert.equal(resolved.ok, true);
  const stored = await repository.getWorkOrder(order.id);
  assert.deepEqual(
    stored?.verdicts.map((v) => [v.action, v.by, v.note, v.at]),
    [
      ['acknowledge', 'op-key', 'on it', 1_000_000],
      ['resolve', 'op-key', 'bearing replaced', 1_000_000],
    ],
  );
  service.accept([{ sensor: 'temp', ts: 120 * minute, value: 150 }]);
  await service.forceFlush();
  const orders = await repository.listWorkOrders({ limit: 10 });
  assert.equal(orders.length, 2);
  assert.equal(orders[0]?.status, 'open');
  assert.notEqual(orders[0]?.id, order.id);
  await service.shutdown();
});

test('a sensor without an asset is its own asset', async () => {
  const { repository, service } = await setup();
  await service.start();
  service.accept([{ sensor: 'loose', ts: minute, value: 150 }]);
  await service.forceFlush();
  const [order] = await repository.listWorkOrders({ limit: 1 });
  assert.equal(order?.asset, 'loose');
  assert.equal(order?.assetType, 'other');
  await service.shutdown();
});

test('a sensor tagged failure_prediction=off raises no alert and opens no work order', async () => {
  const { registry, repository, service, events } = await setup();
  await registry.putSensors([
    {
      id: 'loop',
      kind: 'lane-flow',
      unit: '',
      asset: 'pump-1',
      lat: null,
      lon: null,
      tags: { failure_prediction: 'off' },
    },
  ]);
  await service.start();
  service.accept([
    { sensor: 'loop', ts: minute, value: 150 },
    { sensor: 'temp', ts: minute, value: 150 },
  ]);
  await service.forceFlush();
  const orders = await repository.listWorkOrders({ limit: 10 });
  assert.equal(orders.length, 1, 'only the untagged sensor opens an order');
  await new Promise((resolve) => setImmediate(resolve));
  const alerted = events.filter((event) => event.type === 'alert').map((event) => event.sensor);
  assert.deepEqual(alerted, ['temp']);
  await service.shutdown();
});

test('detector states are saved at shutdown and restored at start, so learning and suppression carry over', async () => {
  const { repository, registry, bus } = await setup();
  const first = bareService(repository, { bus, registry });
  await first.start();
  first.accept([
    { sensor: 'temp', ts: 1 * minute, value: 1 },
    { sensor: 'temp', ts: 2 * minute, value: 150 },
  ]);
  await first.shutdown();
  const saved = await allSavedStates(repository);
  assert.deepEqual(
    saved.map((s) => [s.sensor, [...s.state], s.lastTs, s.lastAlertAt]),
    [['temp', [2], 2 * minute, 2 * minute]],
  );
  const second = bareService(repository, { bus, registry });
  assert.deepEqual(await second.start(), { restored: 1, skipped: 0 });
  second.accept([
    { sensor: 'temp', ts: 2 * minute, value: 150 },
    { sensor: 'temp', ts: 3 * minute, value: 150 },
  ]);
  await second.shutdown();
  assert.equal(
    (await repository.listAlerts({ limit: 10 })).length,
    1,
    're-sent and suppressed readings raise nothing',
  );
  const [state] = await allSavedStates(repository);
  assert.deepEqual([...(state?.state ?? [])], [3], 'the re-sent reading was skipped, the new one counted');
});

test('keeps a bounded score series per sensor for the dashboard', async () => {
  const { service } = await setup();
  const readings = Array.from({ length: 200 }, (_, i) => ({ sensor: 'temp', ts: i * minute, value: i }));
  service.accept(readings);
  const series = await service.scores('temp', 0, 1_000 * minute);
  assert.equal(series?.length, 48);
  assert.equal(series?.[0]?.ts, 152 * minute);
  assert.equal(series?.at(-1)?.score, 1);
  assert.equal(await service.scores('nobody', 0, 1), undefined);
  await service.shutdown();
});

test('a snapshot saves only the sensors changed since the last one, and retries states that failed to save', async () => {
  const { bus, repository, registry } = await setup();
  const saved: string[][] = [];
  const errors: unknown[] = [];
  let failNext = false;
  const states = {
    async saveDetectorStates(batch: readonly { sensor: string }[]) {
      if (failNext) {
        failNext = false;
        throw new Error('disk full');
      }
      saved.push(batch.map((state) => state.sensor).sort());
    },
    loadDetectorStates: async () => undefined,
  };
  const service = bareService(repository, { bus, states, registry, onError: (error) => errors.push(error) });
  await service.start();
  service.accept([
    { sensor: 'temp', ts: 1, value: 1 },
    { sensor: 'vibration', ts: 1, value: 1 },
  ]);
  await service.snapshot();
  service.accept([{ sensor: 'vibration', ts: 2, value: 1 }]);
  await service.snapshot();
  await service.snapshot();
  service.accept([{ sensor: 'temp', ts: 3, value: 1 }]);
  failNext = true;
  await service.snapshot();
  await service.shutdown();
  assert.deepEqual(saved, [['temp', 'vibration'], ['vibration'], ['temp']]);
  assert.equal(errors.length, 1);
  assert.match(String(errors[0]), /disk full/);
});

test('the snapshot timer saves changed states in the background', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const { bus, repository, registry } = await setup();
  const service = bareService(repository, { bus, registry, snapshotIntervalMillis: 1000 });
  await service.start();
  service.accept([{ sensor: 'temp', ts: 1, value: 1 }]);
  assert.equal((await allSavedStates(repository)).length, 0);
  t.mock.timers.tick(1000);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(
    (await allSavedStates(repository)).map((state) => state.sensor),
    ['temp'],
  );
  await service.shutdown();
});

test('stopping snapshots waits for the running one and starts no more', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const { bus, registry } = await setup();
  const repository = new MemoryMaintenanceRepository();
  let release: () => void = () => undefined;
  const saves: string[][] = [];
  const save = repository.saveDetectorStates.bind(repository);
  repository.saveDetectorStates = async (states) => {
    saves.push(states.map((state) => state.sensor));
    await new Promise<void>((resolve) => (release = resolve));
    await save(states);
  };
  const service = bareService(repository, { bus, registry, snapshotIntervalMillis: 1000 });
  await service.start();
  service.accept([{ sensor: 'temp', ts: 1, value: 1 }]);
  t.mock.timers.tick(1000);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(saves, [['temp']]);
  let stopped = false;
  const stopping = service.stopSnapshots().then(() => (stopped = true));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(stopped, false, 'resolved while the save ran');
  release();
  await stopping;
  assert.deepEqual(
    (await allSavedStates(repository)).map((state) => state.sensor),
    ['temp'],
  );
  service.accept([{ sensor: 'vibration', ts: 2, value: 1 }]);
  t.mock.timers.tick(5000);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(saves, [['temp']], 'a snapshot ran after the timer was stopped');
  const shutdown = service.shutdown();
  await new Promise((resolve) => setImmediate(resolve));
  release();
  await shutdown;
  assert.deepEqual(saves, [['temp'], ['vibration']]);
});

/** Detectors on the caller's thread that can be made to fail as a dead scoring thread does. */
class BreakableScoring extends InProcessScoring {
  dead = false;
  override score(readings: readonly Reading[]) {
    return this.dead
      ? Promise.reject(new Error('the scoring thread exited with code 1'))
      : super.score(readings);
  }
  override broken(): boolean {
    return this.dead;
  }
}

test('replaces detectors whose thread died, resuming from the saved states and scoring the batch it died with', async () => {
  const repository = new MemoryMaintenanceRepository();
  const engines: BreakableScoring[] = [];
  const errors: string[] = [];
  const service = bareService(repository, {
    engine: (options) => {
      const engine = new BreakableScoring(options);
      engines.push(engine);
      return engine;
    },
    onError: (error) => errors.push(String(error)),
  });
  const readings = (from: number, count: number) =>
    Array.from({ length: count }, (_, i) => ({ sensor: 'temp', ts: (from + i) * minute, value: 1 }));
  service.accept(readings(0, 5));
  await service.forceFlush(); // five readings seen and saved
  service.accept(readings(5, 3)); // seen by the first engine only, never saved
  (engines[0] as BreakableScoring).dead = true;
  service.accept(readings(8, 2)); // failed with the dead thread, scored by the replacement
  await service.forceFlush();
  service.accept(readings(10, 4)); // scored by the replacement
  await service.forceFlush();
  assert.equal(engines.length, 2, 'a new engine replaced the broken one');
  assert.equal(service.status().restarts, 1);
  assert.ok(
    errors.some((error) => /restarted from 1 saved states/.test(error)),
    errors.join('\n'),
  );
  const [state] = await (engines[1] as BreakableScoring).takeStates(true);
  assert.deepEqual(
    [...(state?.state ?? [])],
    [5 + 2 + 4],
    'resumed from the saved state, then saw the batch the thread died with and the later one',
  );
  await service.shutdown();
});

test('a save to a store of whole snapshots whose engine is replaced midway ends unmarked; the next save is whole', async () => {
  const calls: string[] = [];
  const engines: BreakableScoring[] = [];
  const states = {
    beginSnapshot: async () => {
      calls.push('begin');
    },
    saveDetectorStates: async (batch: readonly { sensor: string }[]) => {
      calls.push(batch.map((state) => state.sensor).join(','));
      if (engines.length === 1) {
        // The thread dies as the first chunk is written; the next batch finds it dead.
        (engines[0] as BreakableScoring).dead = true;
        service.accept([{ sensor: 's-2', ts: 2 * minute, value: 1 }]);
        while (engines.length < 2) await new Promise((resolve) => setImmediate(resolve));
      }
    },
    markStatesSaved: async () => {
      calls.push('mark');
    },
    loadDetectorStates: async () => undefined,
  };
  const service = bareService(new MemoryMaintenanceRepository(), {
    states,
    snapshotChunkStates: 2,
    engine: (options) => {
      const engine = new BreakableScoring(options);
      engines.push(engine);
      return engine;
    },
    onError: () => undefined,
  });
  service.accept(Array.from({ length: 3 }, (_, i) => ({ sensor: `s-${i}`, ts: minute, value: 1 })));
  await service.forceFlush();
  assert.deepEqual(calls, ['begin', 's-0,s-1'], 'the sweep stopped with its engine, unmarked');
  service.accept([{ sensor: 's-0', ts: 3 * minute, value: 1 }]);
  await service.forceFlush();
  assert.deepEqual(calls.slice(2), ['begin', 's-2,s-0', 'mark'], "the new engine's every state, then marked");
  await service.shutdown();
});

test('saves a snapshot of many sensors in chunks, every changed state once', async () => {
  const repository = new MemoryMaintenanceRepository();
  const writes: number[] = [];
  const save = repository.saveDetectorStates.bind(repository);
  repository.saveDetectorStates = (states) => {
    writes.push(states.length);
    return save(states);
  };
  const service = bareService(repository, { snapshotChunkStates: 2 });
  service.accept(Array.from({ length: 5 }, (_, i) => ({ sensor: `s-${i}`, ts: minute, value: 1 })));
  await service.forceFlush();
  assert.deepEqual(writes, [2, 2, 1]);
  assert.deepEqual((await allSavedStates(repository)).map((s) => s.sensor).sort(), [
    's-0',
    's-1',
    's-2',
    's-3',
    's-4',
  ]);
  service.accept([{ sensor: 's-3', ts: 2 * minute, value: 1 }]);
  await service.forceFlush();
  assert.deepEqual(writes, [2, 2, 1, 1], 'then only the changed state');
  await service.shutdown();
});

test('a save sweeps the sensors once: a state changed behind the sweep waits for the next save; bug: it was taken again first, so a save under load never ended', async () => {
  const repository = new MemoryMaintenanceRepository();
  const writes: string[][] = [];
  const save = repository.saveDetectorStates.bind(repository);
  repository.saveDetectorStates = async (states) => {
    writes.push(states.map((state) => state.sensor));
    // Readings keep coming while the save runs: one changes a sensor the sweep has passed.
    if (writes.length === 1) service.accept([{ sensor: 's-0', ts: 2 * minute, value: 1 }]);
    await save(states);
  };
  const service = bareService(repository, { snapshotChunkStates: 2 });
  service.accept(Array.from({ length: 5 }, (_, i) => ({ sensor: `s-${i}`, ts: minute, value: 1 })));
  await service.forceFlush();
  assert.deepEqual(writes, [['s-0', 's-1'], ['s-2', 's-3'], ['s-4']]);
  assert.notEqual(await repository.statesSavedAt(), undefined, 'the sweep ended, so the save is marked');
  await service.forceFlush();
  assert.deepEqual(writes.slice(3), [['s-0']], 'the state changed behind the sweep, saved by the next');
  await service.shutdown();
});

test('a store of whole snapshots begins each save and is given every state, changed or not; with none changed nothing is written', async () => {
  const calls: string[] = [];
  let failNext = false;
  const states = {
    beginSnapshot: async () => {
      calls.push('begin');
      if (failNext) {
        failNext = false;
        throw new Error('disk full');
      }
    },
    saveDetectorStates: async (batch: readonly { sensor: string }[]) => {
      calls.push(batch.map((state) => state.sensor).join(','));
    },
    markStatesSaved: async (at: number) => {
      calls.push(`mark ${at}`);
    },
    loadDetectorStates: async () => undefined,
  };
  const service = bareService(new MemoryMaintenanceRepository(), {
    states,
    snapshotChunkStates: 2,
    clock: () => 7 * minute,
    futureToleranceMillis: Number.POSITIVE_INFINITY,
  });
  service.accept(Array.from({ length: 3 }, (_, i) => ({ sensor: `s-${i}`, ts: minute, value: 1 })));
  await service.forceFlush();
  service.accept([{ sensor: 's-1', ts: 2 * minute, value: 1 }]);
  await service.forceFlush();
  await service.forceFlush();
  const save = ['begin', 's-0,s-1', 's-2', `mark ${7 * minute}`];
  assert.deepEqual(calls, [...save, ...save], 'the third, with no state changed, wrote nothing');
  service.accept([{ sensor: 's-2', ts: 3 * minute, value: 1 }]);
  failNext = true;
  await service.forceFlush();
  assert.deepEqual(calls.slice(8), ['begin'], 'the save failed as it began');
  await service.forceFlush();
  assert.deepEqual(calls.slice(9), save, 'with no change since, the failed save is made again');
  await service.shutdown();
});

test('a long save says how far it got every 5 s and what it saved in what time; a short one says nothing', async () => {
  const repository = new MemoryMaintenanceRepository();
  const clock = { millis: 0 };
  const save = repository.saveDetectorStates.bind(repository);
  repository.saveDetectorStates = (states) => {
    clock.millis += 3_000;
    return save(states);
  };
  const lines: string[] = [];
  const service = bareService(repository, {
    snapshotChunkStates: 2,
    clock: () => clock.millis,
    progress: (line) => lines.push(line),
  });
  service.accept(Array.from({ length: 7 }, (_, i) => ({ sensor: `s-${i}`, ts: minute, value: 1 })));
  await service.forceFlush();
  assert.deepEqual(lines, [
    'failure prediction: saving detector states: 4 so far, 6.0 s',
    'failure prediction: saving detector states: 7 so far, 12.0 s',
    'failure prediction: saved 7 detector states in 12.0 s',
  ]);
  const before = lines.length;
  service.accept([{ sensor: 's-3', ts: 2 * minute, value: 1 }]);
  await service.forceFlush();
  assert.equal(lines.length, before, 'one chunk, 3 s: nothing said');
  await service.shutdown();
});

test('a start told of progress says how many saved states it restored', async () => {
  const repository = new MemoryMaintenanceRepository();
  const first = bareService(repository, {});
  first.accept(Array.from({ length: 3 }, (_, i) => ({ sensor: `s-${i}`, ts: minute, value: 1 })));
  await first.shutdown();
  const lines: string[] = [];
  const clock = { millis: 0 };
  const second = bareService(repository, { clock: () => clock.millis, progress: (line) => lines.push(line) });
  assert.equal((await second.start()).restored, 3);
  assert.deepEqual(lines, ['failure prediction: read 3 saved detector states in 0.0 s']);
  await second.shutdown();
});

test('a quiet sensor keeps its evidence points; its long score series starts when first asked for', async () => {
  const { service } = await setup();
  const quiet = (from: number, count: number) =>
    Array.from({ length: count }, (_, i) => ({ sensor: 'temp', ts: (from + i) * minute, value: 1 }));
  service.accept(quiet(0, 100));
  const first = await service.scores('temp', 0, 1_000 * minute);
  assert.deepEqual(
    first?.map((point) => point.ts),
    [97, 98, 99].map((i) => i * minute),
    'the last evidencePoints (3) readings',
  );
  service.accept(quiet(100, 60));
  const later = await service.scores('temp', 0, 1_000 * minute);
  assert.equal(later?.length, 48);
  assert.equal(later?.[0]?.ts, 112 * minute);
  await service.shutdown();
});

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`not within 5 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A repository whose `recordAlert` fails while `down` (PostgreSQL refusing connections). */
class FlakyRepository extends MemoryMaintenanceRepository {
  down = true;
  attempts = 0;
  override async recordAlert(
    ...args: Parameters<MemoryMaintenanceRepository['recordAlert']>
  ): ReturnType<MemoryMaintenanceRepository['recordAlert']> {
    this.attempts += 1;
    if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    return super.recordAlert(...args);
  }
}

test('an alert that cannot be recorded is kept, fails forceFlush, and is recorded once the repository is back (it was dropped)', async () => {
  const repository = new FlakyRepository();
  const errors: string[] = [];
  const events: BusEvent[] = [];
  const bus = new MemoryBus();
  bus.subscribe('events', (event) => void events.push(event));
  const service = bareService(repository, {
    bus,
    learningReadings: 0,
    learningSpanMillis: 0,
    onError: (error) => errors.push(String(error)),
  });
  service.accept([
    { sensor: 'pump-1.temp', ts: 1 * minute, value: 20 },
    { sensor: 'pump-1.temp', ts: 2 * minute, value: 150 },
  ]);
  await assert.rejects(service.forceFlush(), /1 alerts are not recorded yet .*ECONNREFUSED/);
  assert.equal(service.status().pendingAlerts, 1, 'the alert is still pending');
  assert.match(
    errors[0] ?? '',
    /alert of sensor pump-1\.temp at .* not recorded \(kept and tried again\): connect ECONNREFUSED/,
  );
  await assert.rejects(service.forceFlush(), 'still failing: a commit after it must not happen');
  assert.deepEqual(await repository.listAlerts({ limit: 10 }), []);

  repository.down = false;
  await service.forceFlush();
  const alerts = await repository.listAlerts({ limit: 10 });
  assert.deepEqual(
    alerts.map((alert) => [alert.sensor, alert.ts]),
    [['pump-1.temp', 2 * minute]],
  );
  assert.equal((await repository.listWorkOrders({ limit: 10 })).length, 1);
  assert.equal(service.status().pendingAlerts, 0);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(
    events.map((event) => event.type),
    ['alert', 'workorder'],
    'published once, when recorded',
  );
  await service.shutdown();
});

test('after start, an alert that could not be recorded is tried again on a timer (the embedded server)', async () => {
  const repository = new FlakyRepository();
  const errors: string[] = [];
  const service = bareService(repository, {
    learningReadings: 0,
    learningSpanMillis: 0,
    alertRetryMillis: 20,
    onError: (error) => errors.push(String(error)),
  });
  await service.start();
  service.accept([{ sensor: 'pump-1.temp', ts: minute, value: 150 }]);
  await until(() => repository.attempts >= 3, 'tried again while down');
  assert.equal(errors.length, 1, 'one line when the alert is kept, none per retry');
  repository.down = false;
  await until(() => service.status().pendingAlerts === 0, 'recorded once back');
  assert.equal((await repository.listAlerts({ limit: 10 })).length, 1);
  await service.shutdown();
});

test('a shutdown with an alert still not recorded reports it and still stops', async () => {
  const repository = new FlakyRepository();
  const errors: string[] = [];
  const service = bareService(repository, {
    learningReadings: 0,
    learningSpanMillis: 0,
    onError: (error) => errors.push(String(error)),
  });
  service.accept([{ sensor: 'pump-1.temp', ts: minute, value: 150 }]);
  await service.shutdown();
  assert.match(errors.at(-1) ?? '', /stopped with alerts not recorded: 1 alerts are not recorded yet/);
});

test('a reading scored again by detectors restored from older states raises no second alert (memory repository)', async () => {
  const repository = new MemoryMaintenanceRepository();
  const batch = [
    { sensor: 'temp', ts: 1 * minute, value: 20 },
    { sensor: 'temp', ts: 2 * minute, value: 150 },
  ];
  const published: string[][] = [];
  for (let life = 0; life < 2; life++) {
    const bus = new MemoryBus();
    const events: string[] = [];
    bus.subscribe('events', (event) => void events.push(event.type));
    const service = bareService(repository, { bus });
    service.accept(batch);
    await service.forceFlush();
    await new Promise((resolve) => setImmediate(resolve)); // the bus delivers on a later turn
    assert.equal(service.status().pendingAlerts, 0);
    published.push(events);
  }
  assert.deepEqual(
    (await repository.listAlerts({ limit: 10 })).map((alert) => [alert.sensor, alert.ts]),
    [['temp', 2 * minute]],
  );
  const orders = await repository.listWorkOrders({ limit: 10 });
  assert.equal(orders[0]?.alertIds.length, 1);
  // Bug: the dropped repeat was published all the same, an alert never recorded seen twice.
  assert.deepEqual(published, [['alert', 'workorder'], []], 'the repeat publishes nothing');
});

test('the status counts the readings still waiting to be scored, not only the alerts not yet written', async () => {
  // Before, `GET /detection` said `pendingAlerts: 0` while a backlog of readings waited for the
  // scoring thread, so a caller could not tell when the alerts of a replay were complete.
  class SlowScoring extends InProcessScoring {
    waiting = 0;
    override backlogReadings(): number {
      return this.waiting;
    }
  }
  let engine: SlowScoring | undefined;
  const service = bareService(new MemoryMaintenanceRepository(), {
    engine: (options) => (engine = new SlowScoring(options)),
  });
  assert.ok(engine);
  engine.waiting = 1000;
  assert.equal(service.status().backlogReadings, 1000);
  assert.equal(service.status().pendingAlerts, 0);
  engine.waiting = 0;
  assert.equal(service.status().backlogReadings, 0);
  await service.shutdown();
});

test('start resolves only once the engine is ready, so a server is not reported up while its scoring thread still loads', async () => {
  // Before, the server answered /healthz while the thread was still loading its code: the first
  // live batches waited behind it and the load paid for its start.
  class LoadingScoring extends InProcessScoring {
    loaded: () => void = () => undefined;
    readonly #loading = new Promise<void>((resolve) => (this.loaded = resolve));
    override ready(): Promise<void> {
      return this.#loading;
    }
  }
  let engine: LoadingScoring | undefined;
  const service = bareService(new MemoryMaintenanceRepository(), {
    engine: (options) => (engine = new LoadingScoring(options)),
  });
  let started = false;
  const starting = service.start().then(() => (started = true));
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(started, false, 'start waits for the engine');
  engine?.loaded();
  await starting;
  assert.equal(started, true);
  await service.shutdown();
});

test('saved states the detector cannot read are reported at start, so silent re-learning is visible', async () => {
  // Before, `start()` returned the count and the server dropped it: after a detector change every
  // sensor learned again for three days, raising nothing, without a line in the log.
  const repository = new MemoryMaintenanceRepository();
  await repository.saveDetectorStates([
    { sensor: 'temp', state: Uint8Array.of(4), lastTs: minute, lastAlertAt: null },
    { sensor: 'flow', state: Uint8Array.of(1, 2, 3), lastTs: minute, lastAlertAt: null },
  ]);
  const errors: string[] = [];
  const service = bareService(repository, { onError: (error) => errors.push(String(error)) });
  assert.deepEqual(await service.start(), { restored: 1, skipped: 1 });
  assert.deepEqual(errors, [
    'Error: 1 of 2 saved detector states were saved by another configuration and cannot be used by detector step: those sensors learn again',
  ]);
  await service.shutdown();
});

test('a reading timed far ahead of the clock is not scored, so the sensor right readings after it still are; bug: one such reading blinded the sensor until its time came', async () => {
  const repository = new MemoryMaintenanceRepository();
  const logged: string[] = [];
  const now = 100 * minute;
  const service = bareService(repository, {
    clock: () => now,
    learningReadings: 0,
    learningSpanMillis: 0,
    onError: (error) => logged.push(String(error)),
  });
  service.accept([
    { sensor: 'temp', ts: now - 2 * minute, value: 20 },
    // A device clock a day fast, once.
    { sensor: 'temp', ts: now + 24 * 60 * minute, value: 21 },
    // Within the hour of tolerance: scored.
    { sensor: 'vibration', ts: now + 30 * minute, value: 150 },
  ]);
  service.accept([{ sensor: 'temp', ts: now - minute, value: 150 }]);
  await service.forceFlush();
  const alerts = await repository.listAlerts({ limit: 10 });
  assert.deepEqual(
    alerts.map((alert) => [alert.sensor, alert.ts]).sort(),
    [
      ['temp', now - minute],
      ['vibration', now + 30 * minute],
    ],
    'the step after the early reading is scored and alerts, and so does a reading within the tolerance',
  );
  assert.equal(service.status().futureReadings, 1);
  assert.equal(logged.filter((line) => /ahead of the clock are stored but not scored/.test(line)).length, 1);
  await service.shutdown();
});

test('with a reorder hold, a batch accepted after a later one is scored in time order, not skipped; bug: it left a gap', async () => {
  const readingsOf = (from: number, to: number): Reading[] =>
    Array.from({ length: to - from }, (_, i) => ({ sensor: 'temp', ts: (from + i) * minute, value: 20 }));
  const scoredTimes = async (reorderMillis: number) => {
    const service = bareService(new MemoryMaintenanceRepository(), {
      reorderMillis,
      futureToleranceMillis: Number.POSITIVE_INFINITY,
      // Every point of the 30 kept.
      evidencePoints: 40,
      historyPoints: 48,
    });
    // Minutes 0–9, then 20–29, and then 10–19: the batch a client sent again after a later one.
    service.accept(readingsOf(0, 10));
    service.accept(readingsOf(20, 30));
    service.accept(readingsOf(10, 20));
    await service.forceFlush();
    const series = await service.scores('temp', 0, 100 * minute);
    await service.shutdown();
    return (series ?? []).map((point) => point.ts / minute);
  };
  assert.deepEqual(
    await scoredTimes(60_000),
    Array.from({ length: 30 }, (_, i) => i),
  );
  // Without the hold the late batch is skipped: the detectors see minute 29, then nothing of 10–19.
  assert.deepEqual(await scoredTimes(0), [
    ...Array.from({ length: 10 }, (_, i) => i),
    ...Array.from({ length: 10 }, (_, i) => 20 + i),
  ]);
});

test('held readings are scored once the hold is over, a late one with the newer it came behind, and dropped readings never are', async () => {
  const service = bareService(new MemoryMaintenanceRepository(), {
    reorderMillis: 100,
    futureToleranceMillis: Number.POSITIVE_INFINITY,
  });
  const times = async () => (await service.scores('temp', 0, 10 * minute))?.map((point) => point.ts / minute);
  service.accept([{ sensor: 'temp', ts: 2 * minute, value: 1 }]);
  await new Promise((resolve) => setTimeout(resolve, 40));
  // Accepted later than minute 2, so not due with it; minute 1 goes out with it all the same.
  service.accept([
    { sensor: 'temp', ts: 1 * minute, value: 1 },
    { sensor: 'temp', ts: 3 * minute, value: 1 },
  ]);
  assert.equal(await times(), undefined, 'nothing scored while held');
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.deepEqual(await times(), [1, 2, 3]);
  service.accept([{ sensor: 'temp', ts: 4 * minute, value: 1 }]);
  service.dropHeld();
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.deepEqual(await times(), [1, 2, 3]);
  await service.shutdown();
});

/**
 * A repository whose `recordAlert` waits (a slow or busy database) until `crash()`: the writes then
 * waiting never finish (their process died), later ones go through (the restarted process's).
 */
class StalledRepository extends MemoryMaintenanceRepository {
  #stalled: Promise<void> | undefined = new Promise(() => undefined);
  waiting = 0;

  crash(): void {
    this.#stalled = undefined;
  }

  override async recordAlert(
    ...args: Parameters<MemoryMaintenanceRepository['recordAlert']>
  ): ReturnType<MemoryMaintenanceRepository['recordAlert']> {
    this.waiting += 1;
    await this.#stalled;
    return super.recordAlert(...args);
  }
}

test('a snapshot saves no state ahead of an alert still being recorded, so a crash then does not lose the alert; bug: the state was saved and the restarted detector skipped the reading', async () => {
  const repository = new StalledRepository();
  const batch = [
    { sensor: 'temp', ts: 1 * minute, value: 20 },
    { sensor: 'temp', ts: 2 * minute, value: 150 },
  ];
  const before = bareService(repository, {});
  before.accept(batch);
  await until(() => repository.waiting === 1, 'the alert is being recorded');
  // The snapshot timer fires while the alert is still being written; then the process dies.
  void before.snapshot();
  await new Promise((resolve) => setTimeout(resolve, 50));
  repository.crash();
  const saved = await allSavedStates(repository);
  const restarted = bareService(repository, {});
  await restarted.start();
  // The readings not acknowledged before the crash come again (a broker, or the store's catch-up).
  restarted.accept(batch);
  await restarted.forceFlush();
  const alerts = await repository.listAlerts({ limit: 10 });
  assert.deepEqual(
    alerts.map((alert) => [alert.sensor, alert.ts]),
    [['temp', 2 * minute]],
    `saved before the crash: ${JSON.stringify(saved.map((s) => [s.sensor, s.lastTs]))}`,
  );
  await restarted.shutdown();
});
