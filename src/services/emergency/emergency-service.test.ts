import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus } from '../../adapters/memory/bus.ts';
import { MemoryAmbulanceTrips } from '../../adapters/memory/ambulance-trips.ts';
import { MemoryPatientQueues } from '../../adapters/memory/patient-queues.ts';
import { MemoryRegistry } from '../../adapters/memory/registry.ts';
import type { Sensor } from '../../core/registry/asset.ts';
import { KeyedColumnBatch } from '../../core/readings/reading-batch.ts';
import { ReadingColumnsBuilder } from '../../core/readings/reading-columns.ts';
import { walkIn } from '../../core/triage/presentation.test-helpers.ts';
import { shippedModel } from '../../core/triage/shipped-model.ts';
import { EmergencyService } from './emergency-service.ts';
import type { LatestValues } from './hospital-directory.ts';

const hospital = {
  id: 'north',
  type: 'hospital',
  name: 'North',
  lat: 50.0,
  lon: 8.0,
  tags: { treatment_spaces: '6', doctors_on_shift: '3' },
};

function sensor(id: string, kind: string, asset: string | null): Sensor {
  return { id, kind, unit: '', asset, lat: null, lon: null, tags: {} };
}

/** A registry that counts how often the occupancy sensors are listed (each refresh lists them once). */
class CountingRegistry extends MemoryRegistry {
  occupancyListings = 0;
  override listSensors(filter: Parameters<MemoryRegistry['listSensors']>[0]): Promise<Sensor[]> {
    if (filter.kind === 'occupancy') this.occupancyListings += 1;
    return super.listSensors(filter);
  }
}

/**
 * The service on a bus whose readings a store keeps too, as the embedded platform has them, or
 * reading the store through `storedLatest` when one is given.
 */
async function started(registry: MemoryRegistry, storedLatest?: LatestValues, nowMillis = () => 60_000) {
  const bus = new MemoryBus();
  const stored = new Map<string, { ts: number; value: number }>();
  const service = new EmergencyService({
    registry,
    bus,
    queues: new MemoryPatientQueues(),
    trips: new MemoryAmbulanceTrips(),
    model: shippedModel(),
    // Readings are sent at 1–5 ms: the clock stands a minute later by default, so they are current.
    nowMillis,
    storedLatest:
      storedLatest ??
      (async (sensors) =>
        new Map(sensors.flatMap((id) => (stored.has(id) ? [[id, stored.get(id)!] as const] : [])))),
  });
  await service.start();
  const send = async (sensor: string, ts: number, value: number): Promise<void> => {
    stored.set(sensor, { ts, value });
    await bus.publish('readings', [{ sensor, ts, value }]);
  };
  return { bus, send, service };
}

/** The bus delivers on a later turn; the refresh of the hospitals takes a few more. */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 5; turn += 1) await new Promise((resolve) => setImmediate(resolve));
}

test('the first occupancy reading of a sensor registered after the hospitals were read counts (it was ignored)', async () => {
  const registry = new MemoryRegistry();
  await registry.putAssets([hospital]);
  const { send, service } = await started(registry);
  // Registered after start, and nothing looks at the departments before its first reading arrives.
  await registry.putSensors([sensor('north.occupancy', 'occupancy', 'north')]);
  await send('north.occupancy', 1, 3);
  await settle();
  const [north] = await service.departments();
  assert.equal(north?.inTreatment, 3);
  service.stop();
});

test('occupancy is read from a batch of columns as from objects, the newest reading of the sensor kept', async () => {
  // The ingest edge publishes batches as columns; they were turned into an object per reading here.
  const registry = new MemoryRegistry();
  await registry.putAssets([hospital]);
  await registry.putSensors([sensor('north.occupancy', 'occupancy', 'north')]);
  const { bus, service } = await started(registry);
  const builder = new ReadingColumnsBuilder(4);
  builder.push('pump-1.flow', 1, 40);
  builder.push('north.occupancy', 2, 6);
  builder.push('north.occupancy', 3, 7);
  builder.push('pump-2.flow', 4, 41);
  await bus.publish('readings', new KeyedColumnBatch(builder.columns(), Int32Array.of(0, 1, 1, 2)));
  await settle();
  const [north] = await service.departments();
  assert.equal(north?.inTreatment, 7);
  service.stop();
});

test('a hospital registered with its occupancy sensor after start takes its first reading too', async () => {
  const registry = new MemoryRegistry();
  const { send, service } = await started(registry);
  await registry.putAssets([hospital]);
  await registry.putSensors([sensor('north.occupancy', 'occupancy', 'north')]);
  await send('north.occupancy', 1, 4);
  await settle();
  assert.deepEqual(
    (await service.departments()).map((view) => [view.id, view.inTreatment]),
    [['north', 4]],
  );
  service.stop();
});

test('live readings cost no reading of the registry: sensors found later are read from the store', async () => {
  const registry = new CountingRegistry();
  await registry.putAssets([hospital]);
  await registry.putSensors([sensor('pump-1.temp', 'temperature', null)]);
  const { send, service } = await started(registry);
  const atStart = registry.occupancyListings;
  for (let ts = 1; ts <= 5; ts += 1) {
    await send('pump-1.temp', ts, 20);
    await send('unregistered', ts, 1);
    await settle();
  }
  assert.equal(registry.occupancyListings - atStart, 0);
  service.stop();
});

test('a live reading that arrives while the store is read wins over the older stored one', async () => {
  const registry = new MemoryRegistry();
  await registry.putAssets([hospital]);
  let release: () => void = () => undefined;
  const { bus, service } = await started(registry, async () => {
    await new Promise<void>((resolve) => (release = resolve));
    return new Map([['north.occupancy', { ts: 1, value: 2 }]]);
  });
  await registry.putSensors([sensor('north.occupancy', 'occupancy', 'north')]);
  const reading = service.departments();
  await settle();
  await bus.publish('readings', [{ sensor: 'north.occupancy', ts: 2, value: 5 }]);
  await settle();
  release();
  const [north] = await reading;
  assert.equal(north?.inTreatment, 5);
  service.stop();
});

test('a stored occupancy reading older than 30 minutes is not taken as the load: unknown, counted as full', async () => {
  // Regression: after a restart, the last reading of a sensor dead for hours counted as current.
  const registry = new MemoryRegistry();
  await registry.putAssets([hospital]);
  await registry.putSensors([sensor('north.occupancy', 'occupancy', 'north')]);
  let now = 30 * 60_000 + 1;
  const stored: LatestValues = async () => new Map([['north.occupancy', { ts: 1, value: 0 }]]);
  const { service } = await started(registry, stored, () => now);
  const [current] = await service.departments();
  assert.deepEqual(
    [current?.occupancy.status, current?.inTreatment],
    ['current', 0],
    '30 minutes old counts',
  );
  now = 31 * 60_000 + 1;
  const [north] = await service.departments();
  assert.deepEqual([north?.occupancy, north?.inTreatment], [{ status: 'stale', readingMillis: 1 }, 3]);
  assert.deepEqual(north?.problems, [
    'occupancy unknown: the latest reading is 31 min old; counted as full until a new one comes',
  ]);
  service.stop();
});

test('a hospital whose occupancy sensor leaves the registry has no reading, not a stale one', async () => {
  const registry = new MemoryRegistry();
  await registry.putAssets([hospital]);
  await registry.putSensors([sensor('north.occupancy', 'occupancy', 'north')]);
  const { send, service } = await started(registry);
  await send('north.occupancy', 1, 2);
  await settle();
  assert.equal((await service.departments())[0]?.inTreatment, 2);
  await registry.deleteSensor('north.occupancy');
  const [north] = await service.departments();
  assert.deepEqual([north?.occupancy, north?.inTreatment], [{ status: 'none', readingMillis: null }, 0]);
  service.stop();
});

test('maxOccupancyAgeMinutes (serve --occupancy-max-age-minutes) sets how old an occupancy reading may be', async () => {
  const registry = new MemoryRegistry();
  await registry.putAssets([hospital]);
  await registry.putSensors([sensor('north.occupancy', 'occupancy', 'north')]);
  let now = 90 * 60_000 + 1;
  const service = new EmergencyService({
    registry,
    bus: new MemoryBus(),
    queues: new MemoryPatientQueues(),
    trips: new MemoryAmbulanceTrips(),
    model: shippedModel(),
    nowMillis: () => now,
    maxOccupancyAgeMinutes: 90,
    storedLatest: async () => new Map([['north.occupancy', { ts: 1, value: 2 }]]),
  });
  await service.start();
  const [current] = await service.departments();
  assert.deepEqual(
    [current?.occupancy.status, current?.inTreatment],
    ['current', 2],
    '90 minutes old counts',
  );
  now = 91 * 60_000 + 1;
  const [stale] = await service.departments();
  assert.deepEqual(stale?.occupancy, { status: 'stale', readingMillis: 1 });
  service.stop();
  assert.throws(
    () =>
      new EmergencyService({
        registry,
        bus: new MemoryBus(),
        queues: new MemoryPatientQueues(),
        trips: new MemoryAmbulanceTrips(),
        model: shippedModel(),
        maxOccupancyAgeMinutes: 0,
      }),
    /maxOccupancyAgeMinutes must be > 0/,
  );
});

test('a patient called in counts in treatment for every process sharing the queues, and after a restart', async () => {
  // Regression: the call was counted in the memory of the process that made it only, so two API
  // processes of a cluster disagreed on a hospital's load, and a restart forgot it.
  const registry = new MemoryRegistry();
  await registry.putAssets([hospital]);
  const queues = new MemoryPatientQueues();
  const trips = new MemoryAmbulanceTrips();
  let now = 60_000;
  const process = async () => {
    const service = new EmergencyService({
      registry,
      bus: new MemoryBus(),
      queues,
      trips,
      model: shippedModel(),
      nowMillis: () => now,
      latestOccupancy: async () => new Map(),
    });
    await service.start();
    return service;
  };
  const [first, second] = [await process(), await process()];
  await first.admit('north', walkIn, 'p1');
  await first.admit('north', walkIn, 'p2');
  assert.equal((await second.callNext('north'))?.patientId, 'p1');
  const load = async (service: EmergencyService) => (await service.departments())[0]?.inTreatment;
  assert.deepEqual([await load(first), await load(second)], [1, 1]);
  const restarted = await process();
  assert.equal(await load(restarted), 1);
  now += 45 * 60_000 + 1;
  assert.deepEqual([await load(first), await load(second), await load(restarted)], [0, 0, 0]);
});

test('a patient called in counts until an occupancy reading taken after the call', async () => {
  const registry = new MemoryRegistry();
  await registry.putAssets([hospital]);
  await registry.putSensors([sensor('north.occupancy', 'occupancy', 'north')]);
  let now = 60_000;
  const { send, service } = await started(registry, undefined, () => now);
  await send('north.occupancy', 50_000, 2);
  await settle();
  await service.admit('north', walkIn, 'p1');
  await service.callNext('north');
  assert.equal((await service.departments())[0]?.inTreatment, 3);
  // Taken before the call (though it arrives after it): the patient called in is not in it.
  await send('north.occupancy', 55_000, 2);
  await settle();
  assert.equal((await service.departments())[0]?.inTreatment, 3);
  now = 70_000;
  await send('north.occupancy', 65_000, 3);
  await settle();
  assert.equal((await service.departments())[0]?.inTreatment, 3, 'counted once, in the reading');
  service.stop();
});
