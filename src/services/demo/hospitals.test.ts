import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryBus } from '../../adapters/memory/bus.ts';
import { MemoryAmbulanceTrips } from '../../adapters/memory/ambulance-trips.ts';
import { MemoryPatientQueues } from '../../adapters/memory/patient-queues.ts';
import { MemoryRegistry } from '../../adapters/memory/registry.ts';
import type { Reading } from '../../core/readings/reading.ts';
import { shippedModel } from '../../core/triage/shipped-model.ts';
import { EmergencyService } from '../emergency/emergency-service.ts';
import { generateCity } from './city.ts';
import type { EmergencyApi } from './emergency-api.ts';
import { HospitalModel, type PatientCounts } from './hospitals.ts';
import { seededRandom } from './random.ts';

const city = generateCity({ sensorCount: 3000, seed: 42 });
const start = Date.UTC(2026, 0, 1, 6);
const minute = 60_000;

/** The platform's emergency service in memory, behind the same calls the HTTP client makes. */
async function platform() {
  const registry = new MemoryRegistry();
  await registry.putAssets(city.assets.filter((asset) => asset.type === 'hospital'));
  await registry.putSensors(
    city.sensors.map((entry) => entry.sensor).filter((s) => s.asset?.startsWith('hospital')),
  );
  const bus = new MemoryBus();
  let wall = start;
  const service = new EmergencyService({
    registry,
    bus,
    queues: new MemoryPatientQueues(),
    trips: new MemoryAmbulanceTrips(),
    model: shippedModel(),
    nowMillis: () => wall,
  });
  await service.start();
  const calls: Record<string, number> = { triage: 0, destination: 0, admit: 0, next: 0, ingest: 0 };
  const readings: Reading[] = [];
  const api: EmergencyApi = {
    async triage(presentation) {
      calls.triage! += 1;
      return service.triage(presentation).level;
    },
    async destination(lat, lon, level) {
      calls.destination! += 1;
      const recommendation = await service.dispatch(lat, lon, level);
      return recommendation.ok ? recommendation.hospital : null;
    },
    async admit(hospitalId, patientId, presentation) {
      calls.admit! += 1;
      const outcome = await service.admit(hospitalId, presentation, patientId);
      if (!outcome.ok) throw new Error(outcome.reason);
      return outcome.triage.level;
    },
    async callNext(hospitalId) {
      calls.next! += 1;
      const entry = await service.callNext(hospitalId);
      if (entry === null) throw new Error(`no hospital ${hospitalId}`);
      return entry === undefined ? null : { patientId: entry.patientId, level: entry.level };
    },
    async ingest(batch) {
      calls.ingest! += 1;
      readings.push(...batch);
      await bus.publish('readings', batch);
      return { ok: true, stored: batch.length };
    },
  };
  const setWall = (millis: number): void => {
    wall = millis;
  };
  return { service, api, calls, readings, setWall };
}

/** A model of the test city from `start`, with its own seed and patient id prefix. */
function model(
  api: EmergencyApi,
  seed: number,
  idPrefix: string,
  options: { log?: (line: string) => void; requestsPerStep?: number } = {},
): HospitalModel {
  return new HospitalModel(city, {
    api,
    random: seededRandom(seed),
    startCityMillis: start,
    idPrefix,
    log: () => undefined,
    ...options,
  });
}

function total(calls: Record<string, number>): number {
  return Object.values(calls).reduce((sum, count) => sum + count, 0);
}

function accountedFor(counts: PatientCounts): number {
  return (
    counts.atDoor +
    counts.enRoute +
    counts.queued +
    counts.inTreatment +
    counts.done +
    counts.turnedAway +
    counts.lost
  );
}

test('occupancy readings are timed after the calls of their step, so the platform does not count those calls twice', async () => {
  // Regression: a reading was timed at the step's start, before the calls the step made, while its
  // value already held them; the platform counts a call made after a reading's time on top of it.
  const { service, api, setWall } = await platform();
  const hospitals = model(api, 3, 'T', { log: () => undefined });
  let checked = 0;
  for (let step = 1; step <= 36; step += 1) {
    const wall = start + step * 10 * minute;
    setWall(wall + 400); // the platform's clock as the step's calls reach it
    await hospitals.step(wall, wall, () => wall + 500);
    await new Promise((resolve) => setImmediate(resolve));
    const counts = hospitals.patientCounts();
    const occupied = (await service.departments()).reduce((sum, d) => sum + d.inTreatment, 0);
    assert.equal(occupied, counts.inTreatment, `step ${step}`);
    if (counts.inTreatment > 0) checked += 1;
  }
  assert.ok(checked > 10, 'patients were in treatment at most steps');
});

test('patients are admitted through the platform, called in as spaces free, and every one is accounted for', async () => {
  const { service, api, calls, readings, setWall } = await platform();
  const logs: string[] = [];
  const hospitals = model(api, 3, 'T', { log: (line) => logs.push(line) });
  let mostQueued = 0;
  let mostEnRoute = 0;
  for (let step = 1; step <= 72; step += 1) {
    const before = total(calls);
    setWall(start + step * 10 * minute);
    await hospitals.step(start + step * 10 * minute, start + step * 10 * minute);
    await new Promise((resolve) => setImmediate(resolve)); // bus handlers run on the next turn
    assert.ok(total(calls) - before <= 36 + 1, `step ${step} made ${total(calls) - before} calls`);
    const counts = hospitals.patientCounts();
    mostQueued = Math.max(mostQueued, counts.queued);
    assert.equal(accountedFor(counts), counts.arrived, JSON.stringify(counts));
    const departments = await service.departments();
    const waiting = departments.reduce((sum, d) => sum + d.waitingByLevel.reduce((a, b) => a + b, 0), 0);
    assert.equal(waiting, counts.queued, `the platform queues what the model believes queued (step ${step})`);
    const occupied = departments.reduce((sum, d) => sum + d.inTreatment, 0);
    assert.equal(occupied, counts.inTreatment, 'occupancy readings report the patients in treatment');
    const enRoute = departments.reduce((sum, d) => sum + d.enRouteByLevel.reduce((a, b) => a + b, 0), 0);
    assert.equal(enRoute, counts.enRoute, 'the platform counts the ambulances on their way');
    mostEnRoute = Math.max(mostEnRoute, counts.enRoute);
  }
  assert.ok(mostEnRoute > 0, 'ambulances take time to arrive');
  const counts = hospitals.patientCounts();
  assert.deepEqual(logs, []);
  assert.ok(counts.arrived > 100, JSON.stringify(counts));
  assert.ok(counts.done > 0 && counts.inTreatment > 0, JSON.stringify(counts));
  assert.equal(counts.turnedAway + counts.lost, 0);
  assert.ok(mostQueued > 0, 'at the daytime peak some patients wait for a space');
  assert.equal(calls.admit, counts.arrived - counts.atDoor - counts.enRoute);
  assert.ok(
    calls.next! >= counts.inTreatment + counts.done,
    'each treatment began with a call for the next patient',
  );
  assert.ok(
    calls.destination! > 0 && calls.destination === calls.triage,
    'ambulances: crew triage, then destination',
  );
  assert.ok(service.recent().length > 0);
  assert.equal(readings.length, 72 * 5, 'one occupancy reading per hospital per step');
  assert.ok(readings.every((reading) => reading.sensor.endsWith('.occupancy')));
});

test('a step spends at most its call budget; the rest wait at the door and are counted', async () => {
  const { api, calls } = await platform();
  const hospitals = model(api, 4, 'B', { requestsPerStep: 8 });
  await hospitals.step(start + 6 * 60 * minute, start);
  const counts = hospitals.patientCounts();
  assert.ok(total(calls) <= 8 + 1, JSON.stringify(calls));
  assert.ok(counts.atDoor > 0, JSON.stringify(counts));
  assert.equal(accountedFor(counts), counts.arrived);
});

test('a failing platform is logged once per step, never thrown, and the patients stay accounted for', async () => {
  const refuse = async (): Promise<never> => {
    throw new Error('connection refused');
  };
  const api: EmergencyApi = {
    triage: refuse,
    destination: refuse,
    admit: refuse,
    callNext: refuse,
    ingest: refuse,
  };
  const logs: string[] = [];
  const hospitals = model(api, 5, 'F', { log: (line) => logs.push(line) });
  for (let step = 1; step <= 10; step += 1)
    await hospitals.step(start + step * 30 * minute, start + step * 1000);
  const counts = hospitals.patientCounts();
  assert.equal(logs.length, 10);
  assert.match(logs[0] ?? '', /connection refused/);
  assert.ok(counts.arrived > 0 && counts.queued === 0 && counts.inTreatment === 0);
  assert.equal(counts.atDoor + counts.turnedAway, counts.arrived);
});

test('patients an earlier run left in the stored queues are called in, treated and counted apart', async () => {
  const { service, api, setWall } = await platform();
  const hospital = city.assets.find((asset) => asset.type === 'hospital')!;
  const urgent = {
    sex: 'female',
    ageYears: 70,
    arrivalMode: 'public-ambulance',
    injury: false,
    chiefComplaint: 'chest pain',
    mental: 'alert',
    pain: true,
    painScore: 8,
    systolicMmHg: 85,
    diastolicMmHg: 50,
    heartRatePerMinute: 135,
    respiratoryRatePerMinute: 28,
    temperatureCelsius: 36.8,
    oxygenSaturationPercent: 86,
  } as const;
  for (const id of ['earlier-1', 'earlier-2']) {
    const outcome = await service.admit(hospital.id, urgent, id);
    assert.ok(outcome.ok);
  }
  const hospitals = model(api, 6, 'C');
  for (let step = 1; step <= 36; step += 1) {
    setWall(start + step * 10 * minute);
    await hospitals.step(start + step * 10 * minute, start + step * 10 * minute);
    const counts = hospitals.patientCounts();
    assert.equal(accountedFor(counts), counts.arrived, JSON.stringify(counts));
  }
  const counts = hospitals.patientCounts();
  assert.equal(counts.carriedOver, 2, JSON.stringify(counts));
  assert.equal(counts.lost, 0);
  const queue = (await service.queue(hospital.id)) ?? [];
  assert.ok(queue.every((entry) => !entry.patientId.startsWith('earlier-')));
});
