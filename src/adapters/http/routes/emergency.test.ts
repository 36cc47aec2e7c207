import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import type { Role } from '../../../core/auth/role.ts';
import { shippedModel } from '../../../core/triage/shipped-model.ts';
import { KeyService } from '../../../services/auth/keys.ts';
import { EmergencyService } from '../../../services/emergency/emergency-service.ts';
import type { EmergencyServiceOptions } from '../../../services/emergency/emergency-service.ts';
import type { HospitalsSnapshot } from '../../../services/emergency/hospitals-snapshot.ts';
import { nodeSecrets } from '../../crypto/secrets.ts';
import { MemoryBus } from '../../memory/bus.ts';
import { MemoryKeyStore } from '../../memory/keys.ts';
import { MemoryPatientQueues } from '../../memory/patient-queues.ts';
import type { PatientQueueStore } from '../../../ports/patient-queues.ts';
import { openDatabase } from '../../duckdb/database.ts';
import { DuckDbPatientQueues } from '../../duckdb/patient-queues.ts';
import { DuckDbAmbulanceTrips } from '../../duckdb/ambulance-trips.ts';
import { MemoryAmbulanceTrips } from '../../memory/ambulance-trips.ts';
import { MemoryRegistry } from '../../memory/registry.ts';
import type { AppEnv } from '../env.ts';
import { authenticate } from '../middleware/auth.ts';
import { emergencyRoutes } from './emergency.ts';
import { walkIn } from '../../../core/triage/presentation.test-helpers.ts';

const stable = walkIn;
const critical = { ...stable, ageYears: 58, chiefComplaint: 'chest pain', heartRatePerMinute: 130 };
const criticalWithHypoxia = { ...critical, oxygenSaturationPercent: 88, arrivalMode: 'public-ambulance' };

async function setup(
  queues: PatientQueueStore = new MemoryPatientQueues(),
  latestOccupancy?: EmergencyServiceOptions['latestOccupancy'],
  options: Partial<EmergencyServiceOptions> = {},
) {
  const keys = new KeyService(new MemoryKeyStore(), nodeSecrets);
  const secrets = {} as Record<Role, string>;
  for (const role of ['viewer', 'operator', 'admin', 'device'] as const) {
    secrets[role] = (await keys.create(`${role}-key`, role)).secret;
  }
  const registry = new MemoryRegistry();
  // Two hospitals 6 km apart: "central" is next to the patient but full, "east" is free.
  await registry.putAssets([
    {
      id: 'central',
      type: 'hospital',
      name: 'Central',
      lat: 50.0,
      lon: 8.0,
      tags: { treatment_spaces: '2', doctors_on_shift: '2' },
    },
    {
      id: 'east',
      type: 'hospital',
      name: 'East',
      lat: 50.0,
      lon: 8.084,
      tags: { treatment_spaces: '6', doctors_on_shift: '4' },
    },
  ]);
  await registry.putSensors([
    {
      id: 'central.occupancy',
      kind: 'occupancy',
      unit: 'patients',
      asset: 'central',
      lat: null,
      lon: null,
      tags: {},
    },
  ]);
  const bus = new MemoryBus();
  const events: string[] = [];
  bus.subscribe('events', (event) => {
    events.push(event.type);
  });
  let now = 1_000_000;
  const service = new EmergencyService({
    registry,
    bus,
    queues,
    trips: new MemoryAmbulanceTrips(),
    ...(latestOccupancy === undefined ? {} : { latestOccupancy }),
    model: shippedModel(),
    nowMillis: () => (now += 1000),
    ...options,
  });
  await service.start();
  const app = new Hono<AppEnv>();
  app.use('*', authenticate(keys));
  app.route('/api/v1', emergencyRoutes(service));
  function call(role: Role, method: string, path: string, body?: unknown) {
    return app.request(path, {
      method,
      headers: { authorization: `Bearer ${secrets[role]}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }
  const advance = (millis: number): void => {
    now += millis;
  };
  return { call, bus, events, advance, registry };
}

test('triages a presentation with a level, reasons and a confidence', async () => {
  const { call } = await setup();
  const response = await call('viewer', 'POST', '/api/v1/triage', criticalWithHypoxia);
  assert.equal(response.status, 200);
  const body = (await response.json()) as { level: number; reasons: string[]; confidence: number };
  assert.ok(body.level <= 2, `HR 130 with SpO2 88% must be level 1–2, got ${body.level}`);
  assert.ok(body.reasons.length > 0);
  assert.ok(body.confidence >= 0 && body.confidence <= 1);
});

test('a body nested too deep is a 400 saying so on each route that reads one', async () => {
  // Regression: 20,000 nested arrays in a field were repeated in the answer, which overflowed the stack
  // (500); 1,000 are enough to be refused here (test/http-api.test.ts sends the 20,000).
  const { call } = await setup();
  let deep: unknown = 1;
  for (let level = 0; level < 1_000; level++) deep = [deep];
  const routes: [Role, string][] = [
    ['viewer', '/api/v1/triage'],
    ['viewer', '/api/v1/ems/destination'],
    ['operator', '/api/v1/ems/dispatches'],
    ['operator', '/api/v1/emergency/departments/east/patients'],
  ];
  for (const [role, path] of routes) {
    const response = await call(role, 'POST', path, { ...stable, ageYears: deep });
    assert.equal(response.status, 400, path);
    assert.deepEqual(await response.json(), { error: 'body is nested deeper than 64 levels' }, path);
  }
});

test('rejects a presentation carrying the nurse level, naming the field', async () => {
  const { call } = await setup();
  const response = await call('viewer', 'POST', '/api/v1/triage', { ...stable, KTAS_RN: 2 });
  assert.equal(response.status, 400);
  const body = (await response.json()) as { issues: { field: string }[] };
  assert.ok(body.issues.some((issue) => issue.field === 'KTAS_RN'));
});

test('a refused triage field carries the value sent, as the destination issues do', async () => {
  // Regression: values came back as JSON text ("null", "\"34\"") and an array body as "".
  const { call } = await setup();
  const response = await call('viewer', 'POST', '/api/v1/triage', { ...stable, ageYears: '34', sex: null });
  assert.equal(response.status, 400);
  const body = (await response.json()) as { error: string; issues: { field: string; value: unknown }[] };
  assert.equal(body.error, 'invalid presentation');
  assert.deepEqual(
    body.issues.map((issue) => [issue.field, issue.value]),
    [
      ['ageYears', '34'],
      ['sex', null],
    ],
  );
  const array = await call('viewer', 'POST', '/api/v1/triage', [stable]);
  assert.equal(array.status, 400);
  assert.deepEqual(((await array.json()) as { issues: unknown[] }).issues, [
    { field: '(body)', value: [stable], rule: 'must be an object' },
  ]);
  const admission = await call('operator', 'POST', '/api/v1/emergency/departments/east/patients', {
    presentation: { ...stable, pain: false, painScore: 4 },
  });
  assert.equal(admission.status, 400);
  assert.deepEqual(((await admission.json()) as { issues: { value: unknown }[] }).issues[0]?.value, {
    pain: false,
    painScore: 4,
  });
});

test('a pain score that is not a whole number is refused at the door', async () => {
  // Regression: NRS 7.5 was accepted (the pain scale is told in whole steps, 0 to 10).
  const { call } = await setup();
  const response = await call('viewer', 'POST', '/api/v1/triage', { ...stable, painScore: 7.5 });
  assert.equal(response.status, 400);
  assert.deepEqual(((await response.json()) as { issues: unknown[] }).issues, [
    { field: 'painScore', value: 7.5, rule: 'must be null or a whole number from 0 to 10' },
  ]);
});

test('queues patients by level, then arrival, and only an operator may admit', async () => {
  const { call } = await setup();
  const viewer = await call('viewer', 'POST', '/api/v1/emergency/departments/east/patients', {
    presentation: stable,
  });
  assert.equal(viewer.status, 403);
  for (const [id, presentation] of [
    ['a', stable],
    ['b', criticalWithHypoxia],
    ['c', stable],
  ] as const) {
    const response = await call('operator', 'POST', '/api/v1/emergency/departments/east/patients', {
      patientId: id,
      presentation,
    });
    assert.equal(response.status, 201);
  }
  const queue = (await (await call('viewer', 'GET', '/api/v1/emergency/departments/east/queue')).json()) as {
    queue: { patientId: string }[];
  };
  assert.deepEqual(
    queue.queue.map((entry) => entry.patientId),
    ['b', 'a', 'c'],
  );
  const next = (await (await call('operator', 'POST', '/api/v1/emergency/departments/east/next')).json()) as {
    patient: { patientId: string };
  };
  assert.equal(next.patient.patientId, 'b');
  const missing = await call('operator', 'POST', '/api/v1/emergency/departments/nowhere/patients', {
    presentation: stable,
  });
  assert.equal(missing.status, 404);
});

test('a hospital registered without a position is named as such, not as unknown', async () => {
  const { call, registry } = await setup();
  await registry.putAssets([
    { id: 'north', type: 'hospital', name: 'North', lat: null, lon: null, tags: {} },
  ]);
  const admitted = await call('operator', 'POST', '/api/v1/emergency/departments/north/patients', {
    presentation: stable,
  });
  assert.equal(admitted.status, 404);
  assert.match(
    ((await admitted.json()) as { error: string }).error,
    /hospital 'north' has no position \(lat, lon\)/,
  );
  const queue = await call('viewer', 'GET', '/api/v1/emergency/departments/north/queue');
  assert.equal(queue.status, 404);
  assert.match(((await queue.json()) as { error: string }).error, /has no position/);
  const nowhere = await call('viewer', 'GET', '/api/v1/emergency/departments/nowhere/queue');
  assert.equal(((await nowhere.json()) as { error: string }).error, "no hospital 'nowhere'");
});

test('a patient who leaves without being seen is withdrawn by an operator; a patient waits once', async () => {
  const { call, events } = await setup();
  for (const id of ['a', 'b']) {
    const admitted = await call('operator', 'POST', '/api/v1/emergency/departments/east/patients', {
      patientId: id,
      presentation: stable,
    });
    assert.equal(admitted.status, 201);
  }
  const again = await call('operator', 'POST', '/api/v1/emergency/departments/east/patients', {
    patientId: 'a',
    presentation: critical,
  });
  assert.equal(again.status, 409);
  assert.match(((await again.json()) as { error: string }).error, /'a' is already queued at east/);
  assert.equal((await call('viewer', 'DELETE', '/api/v1/emergency/departments/east/patients/a')).status, 403);
  assert.equal(
    (await call('operator', 'DELETE', '/api/v1/emergency/departments/east/patients/a')).status,
    204,
  );
  const gone = await call('operator', 'DELETE', '/api/v1/emergency/departments/east/patients/a');
  assert.equal(gone.status, 404);
  assert.match(((await gone.json()) as { error: string }).error, /'a' is not waiting at east/);
  assert.equal(
    (await call('operator', 'DELETE', '/api/v1/emergency/departments/nowhere/patients/b')).status,
    404,
  );
  const queue = (await (await call('viewer', 'GET', '/api/v1/emergency/departments/east/queue')).json()) as {
    queue: { patientId: string }[];
  };
  assert.deepEqual(
    queue.queue.map((entry) => entry.patientId),
    ['b'],
  );
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(events.filter((type) => type === 'patient-withdrawn').length, 1);
});

test('queues kept in the DuckDB file are there again after a restart of the service', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'emergency-restart-'));
  try {
    let database = await openDatabase({ dataDir });
    const before = await setup(await DuckDbPatientQueues.open(database));
    for (const [id, presentation] of [
      ['a', stable],
      ['b', criticalWithHypoxia],
      ['c', stable],
    ] as const) {
      await before.call('operator', 'POST', '/api/v1/emergency/departments/east/patients', {
        patientId: id,
        presentation,
      });
    }
    await before.call('operator', 'POST', '/api/v1/emergency/departments/east/next');
    database.close();
    database = await openDatabase({ dataDir });
    const after = await setup(await DuckDbPatientQueues.open(database));
    const queue = (await (
      await after.call('viewer', 'GET', '/api/v1/emergency/departments/east/queue')
    ).json()) as {
      queue: { patientId: string }[];
    };
    assert.deepEqual(
      queue.queue.map((entry) => entry.patientId),
      ['a', 'c'],
    );
    const departments = (await (
      await after.call('viewer', 'GET', '/api/v1/emergency/departments')
    ).json()) as {
      departments: { id: string; waitingByLevel: number[] }[];
    };
    const east = departments.departments.find((department) => department.id === 'east');
    assert.equal(
      east?.waitingByLevel.reduce((sum, count) => sum + count, 0),
      2,
    );
    database.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('ambulances dispatched before a restart still count, and can be ended, after it (DuckDB file)', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'emergency-trips-'));
  try {
    let database = await openDatabase({ dataDir });
    const open = async () => ({
      queues: await DuckDbPatientQueues.open(database),
      trips: await DuckDbAmbulanceTrips.open(database),
    });
    let stores = await open();
    const before = await setup(stores.queues, undefined, { trips: stores.trips });
    const request = { location: { lat: 50.0, lon: 8.084 }, level: 2 };
    const sent = [];
    for (let i = 0; i < 2; i++) {
      const response = await before.call('operator', 'POST', '/api/v1/ems/dispatches', request);
      assert.equal(response.status, 201);
      sent.push(((await response.json()) as { tripId: string }).tripId);
    }
    database.close();
    database = await openDatabase({ dataDir });
    stores = await open();
    const after = await setup(stores.queues, undefined, { trips: stores.trips });
    const listed = (await (await after.call('viewer', 'GET', '/api/v1/ems/dispatches')).json()) as {
      dispatches: { id: string; hospital: string }[];
    };
    assert.deepEqual(
      listed.dispatches.map((trip) => trip.id),
      sent,
    );
    const departments = (await (
      await after.call('viewer', 'GET', '/api/v1/emergency/departments')
    ).json()) as {
      departments: { id: string; enRouteByLevel: number[] }[];
    };
    const hospital = listed.dispatches[0]?.hospital;
    assert.deepEqual(
      departments.departments.find((department) => department.id === hospital)?.enRouteByLevel,
      [0, 2, 0, 0, 0],
    );
    const ended = await after.call('operator', 'DELETE', `/api/v1/ems/dispatches/${sent[0]}`);
    assert.equal(ended.status, 204);
    assert.equal(
      (
        (await (await after.call('viewer', 'GET', '/api/v1/ems/dispatches')).json()) as {
          dispatches: unknown[];
        }
      ).dispatches.length,
      1,
    );
    database.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('sends an urgent patient past a full nearby hospital once its occupancy arrives as a reading', async () => {
  const { call, bus, events } = await setup();
  const request = { location: { lat: 50.0, lon: 8.001 }, level: 2 };
  const before = (await (await call('operator', 'POST', '/api/v1/ems/dispatches', request)).json()) as {
    hospital: string;
  };
  assert.equal(before.hospital, 'central', 'an empty nearby hospital is the best choice');
  await bus.publish('readings', [{ sensor: 'central.occupancy', ts: 1, value: 2 }]);
  await new Promise((resolve) => setImmediate(resolve));
  for (const id of ['x', 'y', 'z']) {
    await call('operator', 'POST', '/api/v1/emergency/departments/central/patients', {
      patientId: id,
      presentation: criticalWithHypoxia,
    });
  }
  const after = (await (await call('operator', 'POST', '/api/v1/ems/dispatches', request)).json()) as {
    hospital: string;
    reason: string;
  };
  assert.equal(after.hospital, 'east', after.reason);
  assert.match(after.reason, /central/);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(events.filter((type) => type === 'ems-dispatch').length, 2);
  const recent = (await (await call('viewer', 'GET', '/api/v1/ems/recommendations')).json()) as {
    recommendations: unknown[];
  };
  assert.equal(recent.recommendations.length, 2);
});

test('occupancy can come from the latest stored readings instead of the bus (a cluster API process)', async () => {
  const asked: string[][] = [];
  let stored = 0;
  const { call, bus } = await setup(undefined, async (sensors) => {
    asked.push([...sensors]);
    return new Map(stored > 0 ? [['central.occupancy', { ts: 1, value: stored }]] : []);
  });
  // Readings on the bus are not taken in: only the store counts.
  await bus.publish('readings', [{ sensor: 'central.occupancy', ts: 1, value: 2 }]);
  await new Promise((resolve) => setImmediate(resolve));
  const request = { location: { lat: 50.0, lon: 8.001 }, level: 2 };
  const free = (await (await call('viewer', 'POST', '/api/v1/ems/destination', request)).json()) as {
    hospital: string;
  };
  assert.equal(free.hospital, 'central', 'no stored occupancy: central has room');
  stored = 2;
  const full = (await (await call('viewer', 'POST', '/api/v1/ems/destination', request)).json()) as {
    hospital: string;
  };
  assert.equal(full.hospital, 'east', 'central is full by its stored occupancy');
  assert.deepEqual(asked.at(-1), ['central.occupancy']);
});

test('a cluster API process keeps counting a patient called in while the stored occupancy reading is the same one', async () => {
  // Regression: every look read the stored latest reading again and took it as a new one, which
  // forgot the patients called in since it.
  const { call } = await setup(
    undefined,
    async () => new Map([['central.occupancy', { ts: 999_000, value: 1 }]]),
  );
  const admitted = await call('operator', 'POST', '/api/v1/emergency/departments/central/patients', {
    patientId: 'walk-in-1',
    presentation: critical,
  });
  assert.equal(admitted.status, 201);
  assert.equal((await call('operator', 'POST', '/api/v1/emergency/departments/central/next')).status, 200);
  const request = { location: { lat: 50.0, lon: 8.001 }, level: 2 };
  for (const look of ['first', 'second']) {
    const answer = (await (await call('viewer', 'POST', '/api/v1/ems/destination', request)).json()) as {
      hospital: string;
    };
    assert.equal(
      answer.hospital,
      'east',
      `${look} look: central's 2 spaces hold its reading's 1 and the patient called in`,
    );
  }
});

test('an ambulance dispatched to a hospital counts there until it is admitted, or until it is long overdue', async () => {
  const { call, bus, advance } = await setup();
  await bus.publish('readings', [{ sensor: 'central.occupancy', ts: 1, value: 1 }]);
  await new Promise((resolve) => setImmediate(resolve));
  const request = { location: { lat: 50.0, lon: 8.001 }, level: 2 };
  const destination = async () =>
    (
      (await (await call('operator', 'POST', '/api/v1/ems/dispatches', request)).json()) as {
        hospital: string;
      }
    ).hospital;
  const enRoute = async (hospital: string) => {
    const body = (await (await call('viewer', 'GET', '/api/v1/emergency/departments')).json()) as {
      departments: { id: string; enRouteByLevel: number[] }[];
    };
    return body.departments.find((department) => department.id === hospital)?.enRouteByLevel;
  };
  assert.equal(await destination(), 'central', 'one space free at the nearest hospital');
  assert.deepEqual(await enRoute('central'), [0, 1, 0, 0, 0]);
  assert.equal(await destination(), 'east', 'the space is taken by the ambulance on its way');
  // The first ambulance arrives and its patient is admitted: central no longer counts it en route.
  const admitted = await call('operator', 'POST', '/api/v1/emergency/departments/central/patients', {
    patientId: 'amb-1',
    presentation: { ...critical, arrivalMode: 'public-ambulance' },
  });
  assert.equal(admitted.status, 201);
  assert.deepEqual(await enRoute('central'), [0, 0, 0, 0, 0]);
  // An ambulance that never arrives is forgotten after twice its travel time and ten minutes.
  assert.deepEqual(await enRoute('east'), [0, 1, 0, 0, 0]);
  advance(60 * 60_000);
  assert.deepEqual(await enRoute('east'), [0, 0, 0, 0, 0]);
});

test('names each invalid field of a destination request', async () => {
  const { call } = await setup();
  const response = await call('viewer', 'POST', '/api/v1/ems/destination', {
    location: { lat: 123, lon: 'x' },
    level: 7,
  });
  assert.equal(response.status, 400);
  const body = (await response.json()) as { issues: { field: string }[] };
  assert.deepEqual(
    body.issues.map((issue) => issue.field),
    ['location.lat', 'location.lon', 'level'],
  );
});

test('the hospitals view is the service state: capacity, occupancy, queue by level, mean wait, recommendations', async () => {
  const { call, bus } = await setup();
  assert.equal((await call('device', 'GET', '/api/v1/hospitals')).status, 403);
  await bus.publish('readings', [{ sensor: 'central.occupancy', ts: 1, value: 2 }]);
  await new Promise((resolve) => setImmediate(resolve));
  const expectedQueue = [0, 0, 0, 0, 0];
  for (const [id, presentation] of [
    ['x', criticalWithHypoxia],
    ['y', stable],
  ] as const) {
    const admitted = await call('operator', 'POST', '/api/v1/emergency/departments/central/patients', {
      patientId: id,
      presentation,
    });
    const body = (await admitted.json()) as { triage: { level: number } };
    expectedQueue[body.triage.level - 1] = (expectedQueue[body.triage.level - 1] ?? 0) + 1;
  }
  await call('viewer', 'POST', '/api/v1/ems/destination', { location: { lat: 50.0, lon: 8.001 }, level: 2 });
  await call('operator', 'POST', '/api/v1/ems/dispatches', { location: { lat: 50.0, lon: 8.001 }, level: 2 });
  const view = (await (await call('viewer', 'GET', '/api/v1/hospitals')).json()) as HospitalsSnapshot;
  const central = view.hospitals.find((hospital) => hospital.id === 'central');
  const east = view.hospitals.find((hospital) => hospital.id === 'east');
  assert.ok(central !== undefined && east !== undefined);
  assert.deepEqual(
    { beds: central.beds, inTreatment: central.inTreatment, queueByLevel: central.queueByLevel },
    { beds: 2, inTreatment: 2, queueByLevel: expectedQueue },
  );
  // The clock advances a second per service call: the two waiting patients have waited a few seconds.
  assert.ok(central.waitMinutes > 0 && central.waitMinutes < 1, String(central.waitMinutes));
  assert.deepEqual(
    { beds: east.beds, inTreatment: east.inTreatment, waitMinutes: east.waitMinutes, enRoute: east.enRoute },
    { beds: 4, inTreatment: 0, waitMinutes: 0, enRoute: 1 },
  );
  assert.equal(central.enRoute, 0);
  assert.deepEqual([central.problems, east.problems], [[], []]);
  assert.equal(view.recommendations.length, 1, 'the dispatch is listed, the mere recommendation is not');
  const [recommendation] = view.recommendations;
  assert.equal(recommendation?.hospital, 'East');
  assert.equal(recommendation?.nearest, 'Central');
  assert.equal(recommendation?.level, 2);
  assert.match(recommendation?.reason ?? '', /^East: .* beats nearest Central: /);
  assert.ok((recommendation?.expectedMinutes ?? 0) >= (recommendation?.travelMinutes ?? Infinity));
});

type Departments = { departments: { id: string; enRouteByLevel: number[]; problems: string[] }[] };

async function enRouteTotal(call: Awaited<ReturnType<typeof setup>>['call']): Promise<number> {
  const body = (await (await call('viewer', 'GET', '/api/v1/emergency/departments')).json()) as Departments;
  return body.departments.reduce(
    (sum, department) => sum + department.enRouteByLevel.reduce((a, b) => a + b, 0),
    0,
  );
}

test('a recommendation changes nothing: a dozen viewer requests count no ambulance and leave the answer as it was', async () => {
  // Regression: every answer of POST /ems/destination used to count an ambulance en route, so a
  // viewer key could fill the nearest hospital with ghost ambulances and divert real ones.
  const { call, bus, events } = await setup();
  await bus.publish('readings', [{ sensor: 'central.occupancy', ts: 1, value: 1 }]);
  await new Promise((resolve) => setImmediate(resolve));
  const request = { location: { lat: 50.0, lon: 8.001 }, level: 1 };
  const answers: string[] = [];
  for (let index = 0; index < 12; index += 1) {
    const response = await call('viewer', 'POST', '/api/v1/ems/destination', request);
    assert.equal(response.status, 200);
    answers.push(((await response.json()) as { hospital: string }).hospital);
  }
  assert.deepEqual(new Set(answers), new Set(['central']));
  assert.equal(await enRouteTotal(call), 0);
  const recent = (await (await call('viewer', 'GET', '/api/v1/ems/recommendations')).json()) as {
    recommendations: unknown[];
  };
  assert.deepEqual(recent.recommendations, []);
  await new Promise((resolve) => setImmediate(resolve));
  assert.ok(!events.some((type) => type.startsWith('ems-')));
  const viewerDispatch = await call('viewer', 'POST', '/api/v1/ems/dispatches', request);
  assert.equal(viewerDispatch.status, 403);
  assert.equal(await enRouteTotal(call), 0);
});

test('a dispatch returns a trip id, is listed, counts until DELETE ends it, and only an operator may end it', async () => {
  const { call, events } = await setup();
  const response = await call('operator', 'POST', '/api/v1/ems/dispatches', {
    location: { lat: 50.0, lon: 8.001 },
    level: 2,
  });
  assert.equal(response.status, 201);
  const dispatch = (await response.json()) as { tripId: string; hospital: string; countsUntilMillis: number };
  assert.equal(dispatch.hospital, 'central');
  assert.match(dispatch.tripId, /^t\d+-\d+-\w+$/);
  const listed = (await (await call('viewer', 'GET', '/api/v1/ems/dispatches')).json()) as {
    dispatches: { id: string; hospital: string; level: number; untilMillis: number }[];
  };
  assert.deepEqual(
    listed.dispatches.map(({ id, hospital, level, untilMillis }) => ({ id, hospital, level, untilMillis })),
    [{ id: dispatch.tripId, hospital: 'central', level: 2, untilMillis: dispatch.countsUntilMillis }],
  );
  assert.equal(await enRouteTotal(call), 1);
  const path = `/api/v1/ems/dispatches/${dispatch.tripId}`;
  assert.equal((await call('viewer', 'DELETE', path)).status, 403);
  assert.equal(await enRouteTotal(call), 1);
  assert.equal((await call('operator', 'DELETE', path)).status, 204);
  assert.equal(await enRouteTotal(call), 0);
  const again = await call('operator', 'DELETE', path);
  assert.equal(again.status, 404);
  assert.match(
    ((await again.json()) as { error: string }).error,
    new RegExp(`no ambulance en route on trip '${dispatch.tripId}'`),
  );
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(
    events.filter((type) => type.startsWith('ems-')),
    ['ems-dispatch', 'ems-dispatch-ended'],
  );
});

test('admitting the patient of a trip ends that trip, not another one of the same level', async () => {
  const { call } = await setup();
  const request = { location: { lat: 50.0, lon: 8.001 }, level: 2 };
  const trips: string[] = [];
  for (let index = 0; index < 2; index += 1) {
    const body = (await (await call('operator', 'POST', '/api/v1/ems/dispatches', request)).json()) as {
      tripId: string;
      hospital: string;
    };
    assert.equal(body.hospital, 'central');
    trips.push(body.tripId);
  }
  const admitted = await call('operator', 'POST', '/api/v1/emergency/departments/central/patients', {
    tripId: trips[1],
    presentation: criticalWithHypoxia,
  });
  assert.equal(admitted.status, 201);
  const listed = (await (await call('viewer', 'GET', '/api/v1/ems/dispatches')).json()) as {
    dispatches: { id: string }[];
  };
  assert.deepEqual(
    listed.dispatches.map((trip) => trip.id),
    [trips[0]],
  );
  const bad = await call('operator', 'POST', '/api/v1/emergency/departments/central/patients', {
    tripId: 7,
    presentation: stable,
  });
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { error: string }).error, /tripId 7 must be 1 to 256 characters/);
});

test('refuses a location far from every hospital with a 400 naming it, and counts nothing', async () => {
  // Regression: {lat: 0, lon: 0} was accepted (10,020 min of travel) and its ambulance counted ~14 days.
  const { call } = await setup();
  for (const [role, path] of [
    ['viewer', '/api/v1/ems/destination'],
    ['operator', '/api/v1/ems/dispatches'],
  ] as const) {
    const response = await call(role, 'POST', path, { location: { lat: 0, lon: 0 }, level: 2 });
    assert.equal(response.status, 400, path);
    const body = (await response.json()) as {
      error: string;
      issues: { field: string; value: unknown; rule: string }[];
    };
    assert.deepEqual(body.issues[0]?.field, 'location');
    assert.deepEqual(body.issues[0]?.value, { lat: 0, lon: 0 });
    assert.match(body.error, /km from the nearest hospital \((central|east)\); must be within 200 km of one/);
  }
  assert.equal(await enRouteTotal(call), 0);
  // 150 km away is still served.
  const far = await call('viewer', 'POST', '/api/v1/ems/destination', {
    location: { lat: 51.35, lon: 8 },
    level: 2,
  });
  assert.equal(far.status, 200);
});

test('a dispatched ambulance counts at most maxTripMinutes, however long its trip', async () => {
  const { call, advance } = await setup(undefined, undefined, { maxTripMinutes: 120 });
  // About 150 km away: a 290-minute trip, which would otherwise count for over nine hours.
  const response = await call('operator', 'POST', '/api/v1/ems/dispatches', {
    location: { lat: 51.35, lon: 8 },
    level: 3,
  });
  const body = (await response.json()) as { travelMinutes: number; countsUntilMillis: number };
  assert.ok(body.travelMinutes > 250, String(body.travelMinutes));
  assert.equal(await enRouteTotal(call), 1);
  advance(118 * 60_000);
  assert.equal(await enRouteTotal(call), 1);
  advance(3 * 60_000);
  assert.equal(await enRouteTotal(call), 0);
});

test('an admission without a patient id answers the id it made, which a withdrawal then takes', async () => {
  // Regression: the generated id was not in the answer, so the patient could not be withdrawn.
  const { call } = await setup();
  const response = await call('operator', 'POST', '/api/v1/emergency/departments/east/patients', {
    presentation: stable,
  });
  assert.equal(response.status, 201);
  const body = (await response.json()) as { patientId: string; position: number };
  assert.equal(typeof body.patientId, 'string');
  assert.ok(body.patientId.length > 0);
  const named = (await (
    await call('operator', 'POST', '/api/v1/emergency/departments/east/patients', {
      patientId: 'given',
      presentation: stable,
    })
  ).json()) as { patientId: string };
  assert.equal(named.patientId, 'given');
  const withdrawn = await call(
    'operator',
    'DELETE',
    `/api/v1/emergency/departments/east/patients/${encodeURIComponent(body.patientId)}`,
  );
  assert.equal(withdrawn.status, 204);
});

test('a missing destination field is named with value null', async () => {
  const { call } = await setup();
  const response = await call('viewer', 'POST', '/api/v1/ems/destination', { location: {} });
  assert.equal(response.status, 400);
  const body = (await response.json()) as { issues: { field: string; value: unknown }[] };
  assert.deepEqual(
    body.issues.map((issue) => [issue.field, issue.value]),
    [
      ['location.lat', null],
      ['location.lon', null],
      ['level', null],
    ],
  );
});

test('a closed hospital (0 spaces or doctors) is never recommended; an unreadable capacity tag is a listed, logged problem', async () => {
  // Regression: tags "0" or "abc" were silently read as the defaults, 10 spaces and 4 doctors.
  const logged: string[] = [];
  const { call, registry } = await setup(undefined, undefined, { log: (line) => logged.push(line) });
  const near = { lat: 50.0, lon: 8.001 };
  await registry.putAssets([
    {
      id: 'closed',
      type: 'hospital',
      name: 'Closed',
      lat: near.lat,
      lon: near.lon,
      tags: { treatment_spaces: '0', doctors_on_shift: '0' },
    },
    {
      id: 'typo',
      type: 'hospital',
      name: 'Typo',
      lat: near.lat,
      lon: near.lon,
      tags: { treatment_spaces: 'abc', doctors: '3' },
    },
  ]);
  const recommendation = (await (
    await call('viewer', 'POST', '/api/v1/ems/destination', { location: near, level: 2 })
  ).json()) as { hospital: string; alternatives: { hospitalId: string }[] };
  assert.equal(recommendation.hospital, 'central');
  const ranked = [recommendation.hospital, ...recommendation.alternatives.map((option) => option.hospitalId)];
  assert.ok(!ranked.includes('closed') && !ranked.includes('typo'), ranked.join());
  const view = (await (await call('viewer', 'GET', '/api/v1/hospitals')).json()) as HospitalsSnapshot;
  const byId = new Map(view.hospitals.map((hospital) => [hospital.id, hospital]));
  assert.deepEqual([byId.get('closed')?.beds, byId.get('closed')?.problems], [0, []]);
  assert.equal(byId.get('typo')?.beds, 0);
  assert.deepEqual(byId.get('typo')?.problems, [
    'tag treatment_spaces "abc" must be a whole number ≥ 0; counted as 0 (closed) until fixed',
  ]);
  assert.deepEqual(logged, [
    'emergency: hospital typo: tag treatment_spaces "abc" must be a whole number ≥ 0; counted as 0 (closed) until fixed',
  ]);
});

test('when every hospital is closed, a destination request is a 409 that says so', async () => {
  const { call, registry } = await setup();
  await registry.putAssets(
    (['central', 'east'] as const).map((id, index) => ({
      id,
      type: 'hospital',
      name: id,
      lat: 50.0,
      lon: 8.0 + index * 0.084,
      tags: { treatment_spaces: '4', doctors_on_shift: '0' },
    })),
  );
  const response = await call('operator', 'POST', '/api/v1/ems/dispatches', {
    location: { lat: 50.0, lon: 8.001 },
    level: 1,
  });
  assert.equal(response.status, 409);
  assert.match(
    ((await response.json()) as { error: string }).error,
    /no hospital with a treatment slot is known: every hospital has 0 treatment spaces or 0 doctors on shift/,
  );
  assert.equal(await enRouteTotal(call), 0);
});

test('an admission with an unknown or misspelt field is refused naming it, and nobody is queued', async () => {
  // Regression: `patientID` was ignored (the patient got a made-up id no withdrawal could name), and
  // a misspelt `presentaton` was reported as "(body) undefined must be an object".
  const { call } = await setup();
  const path = '/api/v1/emergency/departments/east/patients';
  const misspelt = await call('operator', 'POST', path, { patientID: 'a2', presentation: stable });
  assert.equal(misspelt.status, 400);
  const body = (await misspelt.json()) as { error: string; issues: { field: string; value: unknown }[] };
  assert.match(body.error, /patientID "a2" is an unknown field \(known: patientId, tripId, presentation\)/);
  assert.deepEqual(body.issues[0], {
    field: 'patientID',
    value: 'a2',
    rule: 'is an unknown field (known: patientId, tripId, presentation)',
  });
  const noPresentation = await call('operator', 'POST', path, { patientId: 'a3', presentaton: stable });
  assert.equal(noPresentation.status, 400);
  const fields = ((await noPresentation.json()) as { issues: { field: string; value: unknown }[] }).issues;
  assert.deepEqual(
    fields.map((issue) => [issue.field, issue.field === 'presentation' ? issue.value : '…']),
    [
      ['presentaton', '…'],
      ['presentation', null],
    ],
  );
  for (const notObject of [[1], 'x', null]) {
    const response = await call('operator', 'POST', path, notObject);
    assert.equal(response.status, 400);
    assert.match(((await response.json()) as { error: string }).error, /\(body\) .* must be a JSON object/);
  }
  const long = await call('operator', 'POST', path, { note: 'x'.repeat(5000), presentation: stable });
  const error = ((await long.json()) as { error: string }).error;
  assert.ok(error.length < 200, `a long value is cut short in the error line: ${error.length} characters`);
  assert.match(error, /^invalid admission: note "x+… is an unknown field/);
  const queue = (await (await call('viewer', 'GET', '/api/v1/emergency/departments/east/queue')).json()) as {
    queue: unknown[];
  };
  assert.deepEqual(queue.queue, []);
});

test('a patient id that is blank, over 256 characters or has control characters is refused', async () => {
  // Regression: "   ", 5,000 characters and "a\u0000b" were queued as patient ids.
  const { call } = await setup();
  const path = '/api/v1/emergency/departments/east/patients';
  const rule =
    'must be 1 to 256 characters, not blank, without control characters, and not "." or ".." (a URL path drops those)';
  for (const patientId of ['', '   ', 'x'.repeat(257), 'a\u0000b', 'a\nb', '.', '..']) {
    const response = await call('operator', 'POST', path, { patientId, presentation: stable });
    assert.equal(response.status, 400, JSON.stringify(patientId));
    const body = (await response.json()) as { error: string; issues: { field: string; rule: string }[] };
    assert.deepEqual(
      body.issues.map((issue) => [issue.field, issue.rule]),
      [['patientId', rule]],
    );
  }
  const trip = await call('operator', 'POST', path, { tripId: '..', presentation: stable });
  assert.equal(trip.status, 400);
  const longest = await call('operator', 'POST', path, { patientId: 'x'.repeat(256), presentation: stable });
  assert.equal(longest.status, 201);
});

test('every patient id an admission accepts can be withdrawn through its URL-encoded path', async () => {
  // Regression: "." and ".." were accepted, but a URL path drops them, so no DELETE could name them.
  const { call } = await setup();
  const path = '/api/v1/emergency/departments/east/patients';
  for (const patientId of ['a/b', '%2F', '#1', 'a+b', '...', 'a b?c', '%2e%2e', 'ü']) {
    const admitted = await call('operator', 'POST', path, { patientId, presentation: stable });
    assert.equal(admitted.status, 201, patientId);
    const withdrawn = await call('operator', 'DELETE', `${path}/${encodeURIComponent(patientId)}`);
    assert.equal(withdrawn.status, 204, patientId);
  }
  const queue = (await (await call('viewer', 'GET', '/api/v1/emergency/departments/east/queue')).json()) as {
    queue: unknown[];
  };
  assert.deepEqual(queue.queue, []);
});

test('a destination request with an unknown field, or a location that is not an object, names it', async () => {
  // Regression: `{"location": {"lat", "lng"}, "priority": 1}` named only the missing lon.
  const { call } = await setup();
  const response = await call('viewer', 'POST', '/api/v1/ems/destination', {
    location: { lat: 50.0, lng: 8.0 },
    level: 2,
    priority: 1,
  });
  assert.equal(response.status, 400);
  const body = (await response.json()) as { issues: { field: string; value: unknown }[] };
  assert.deepEqual(
    body.issues.map((issue) => [issue.field, issue.value]),
    [
      ['priority', 1],
      ['location.lng', 8.0],
      ['location.lon', null],
    ],
  );
  const unknownOnly = await call('operator', 'POST', '/api/v1/ems/dispatches', {
    location: { lat: 50.0, lon: 8.0 },
    level: 2,
    urgent: true,
  });
  assert.equal(unknownOnly.status, 400, 'a dispatch with an unknown field is not sent');
  const listed = (await (await call('viewer', 'GET', '/api/v1/ems/dispatches')).json()) as { dispatches: [] };
  assert.deepEqual(listed.dispatches, []);
  const pair = await call('viewer', 'POST', '/api/v1/ems/destination', { location: [50, 8], level: 2 });
  const fields = ((await pair.json()) as { issues: { field: string }[] }).issues.map((issue) => issue.field);
  assert.deepEqual(fields, ['location', 'location.lat', 'location.lon']);
  const array = await call('viewer', 'POST', '/api/v1/ems/destination', []);
  assert.equal(array.status, 400);
  assert.deepEqual(((await array.json()) as { issues: { field: string }[] }).issues[0]?.field, '(body)');
});

test('the ambulances en route are listed by hospital and level, a page at a time', async () => {
  // Regression: ?hospital=, ?level=, ?limit= and ?offset= were ignored and every trip listed.
  const { call } = await setup();
  const sent: { tripId: string; hospital: string }[] = [];
  for (const [lon, level] of [
    [8.0, 2],
    [8.084, 3],
    [8.084, 2],
    [8.084, 2],
  ] as const) {
    const response = await call('operator', 'POST', '/api/v1/ems/dispatches', {
      location: { lat: 50.0, lon },
      level,
    });
    sent.push((await response.json()) as { tripId: string; hospital: string });
  }
  assert.deepEqual(
    sent.map((trip) => trip.hospital),
    ['central', 'east', 'east', 'east'],
  );
  const ids = async (query: string) => {
    const response = await call('viewer', 'GET', `/api/v1/ems/dispatches${query}`);
    assert.equal(response.status, 200, query);
    return ((await response.json()) as { dispatches: { id: string }[] }).dispatches.map((trip) => trip.id);
  };
  const [first, second, third, fourth] = sent.map((trip) => trip.tripId);
  assert.deepEqual(await ids(''), [first, second, third, fourth]);
  assert.deepEqual(await ids('?hospital=east'), [second, third, fourth]);
  assert.deepEqual(await ids('?hospital=east&level=2'), [third, fourth]);
  assert.deepEqual(await ids('?level=2&limit=2'), [first, third]);
  assert.deepEqual(await ids('?level=2&limit=2&offset=2'), [fourth]);
  assert.deepEqual(await ids('?hospital=nowhere'), []);
  for (const [query, error] of [
    ['?level=6', /level="6" must be a triage level 1–5/],
    ['?level=', /level="" must be a triage level 1–5/],
    ['?limit=0', /limit must be an integer/],
    ['?offset=-1', /offset must be a non-negative integer/],
    ['?hopsital=east', /unknown parameter 'hopsital': it takes hospital, level, limit, offset/],
  ] as const) {
    const response = await call('viewer', 'GET', `/api/v1/ems/dispatches${query}`);
    assert.equal(response.status, 400, query);
    assert.match(((await response.json()) as { error: string }).error, error);
  }
});

test('a hospital without an occupancy sensor counts a called patient in treatment for the mean treatment time only', async () => {
  // Regression: each call added one in treatment until the next occupancy reading, which a hospital
  // without a sensor never gets: after as many calls as it has slots it looked full for ever.
  const { call, advance } = await setup(undefined, undefined, { meanTreatmentMinutes: 30 });
  const path = '/api/v1/emergency/departments/east';
  for (let index = 0; index < 5; index += 1)
    await call('operator', 'POST', `${path}/patients`, { patientId: `w${index}`, presentation: stable });
  for (let index = 0; index < 5; index += 1) await call('operator', 'POST', `${path}/next`);
  const inTreatment = async () => {
    const body = (await (await call('viewer', 'GET', '/api/v1/emergency/departments')).json()) as {
      departments: { id: string; inTreatment: number }[];
    };
    return body.departments.find((department) => department.id === 'east')?.inTreatment;
  };
  assert.equal(await inTreatment(), 4, 'east treats 4 at once (4 doctors)');
  advance(31 * 60_000);
  assert.equal(await inTreatment(), 0);
  const destination = (await (
    await call('viewer', 'POST', '/api/v1/ems/destination', { location: { lat: 50.0, lon: 8.084 }, level: 3 })
  ).json()) as { hospital: string; waitMinutes: number };
  assert.deepEqual([destination.hospital, destination.waitMinutes], ['east', 0]);
});

test('a hospital with an occupancy sensor counts a called patient until its next reading', async () => {
  const { call, bus } = await setup();
  await bus.publish('readings', [{ sensor: 'central.occupancy', ts: 1, value: 0 }]);
  await new Promise((resolve) => setImmediate(resolve));
  const path = '/api/v1/emergency/departments/central';
  await call('operator', 'POST', `${path}/patients`, { patientId: 'c1', presentation: stable });
  await call('operator', 'POST', `${path}/next`);
  const inTreatment = async () => {
    const body = (await (await call('viewer', 'GET', '/api/v1/emergency/departments')).json()) as {
      departments: { id: string; inTreatment: number }[];
    };
    return body.departments.find((department) => department.id === 'central')?.inTreatment;
  };
  assert.equal(await inTreatment(), 1);
  await bus.publish('readings', [{ sensor: 'central.occupancy', ts: 2, value: 2 }]);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(await inTreatment(), 2);
});

test('an occupancy reading older than 30 minutes no longer counts: the load is unknown, counted as full, and said so', async () => {
  // Regression: a sensor that died at a quiet hour left its last reading (0) counting for ever, so
  // its hospital drew ambulances as if empty.
  const { call, bus, advance } = await setup();
  const request = { location: { lat: 50.0, lon: 8.001 }, level: 3 };
  type Answer = { hospital: string; reason: string };
  type View = { hospitals: HospitalsSnapshot['hospitals'] };
  const destination = async () =>
    (await (await call('viewer', 'POST', '/api/v1/ems/destination', request)).json()) as Answer;
  const central = async () =>
    ((await (await call('viewer', 'GET', '/api/v1/hospitals')).json()) as View).hospitals.find(
      (hospital) => hospital.id === 'central',
    );
  await bus.publish('readings', [{ sensor: 'central.occupancy', ts: 1_000_000, value: 0 }]);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal((await destination()).hospital, 'central', 'an empty nearby hospital');
  assert.deepEqual((await central())?.occupancy, { status: 'current', readingMillis: 1_000_000 });
  advance(31 * 60_000);
  const stale = await destination();
  assert.equal(stale.hospital, 'east', stale.reason);
  assert.match(
    stale.reason,
    /; occupancy of central unknown \(latest reading 31 min ago\), counted as full$/,
  );
  const view = await central();
  assert.deepEqual(
    [view?.occupancy, view?.inTreatment, view?.beds],
    [{ status: 'stale', readingMillis: 1_000_000 }, 2, 2],
  );
  assert.deepEqual(view?.problems, [
    'occupancy unknown: the latest reading is 31 min old; counted as full until a new one comes',
  ]);
  // A new reading makes the load known again.
  await bus.publish('readings', [{ sensor: 'central.occupancy', ts: 1_000_000 + 31 * 60_000, value: 0 }]);
  await new Promise((resolve) => setImmediate(resolve));
  const fresh = await destination();
  assert.equal(fresh.hospital, 'central');
  assert.doesNotMatch(fresh.reason, /unknown/);
  assert.deepEqual((await central())?.problems, []);
});

test('the occupancy age limit is a setting, checked when the service is made', async () => {
  const { call, bus, advance } = await setup(undefined, undefined, { maxOccupancyAgeMinutes: 90 });
  await bus.publish('readings', [{ sensor: 'central.occupancy', ts: 1_000_000, value: 0 }]);
  await new Promise((resolve) => setImmediate(resolve));
  advance(60 * 60_000);
  const view = (await (await call('viewer', 'GET', '/api/v1/hospitals')).json()) as HospitalsSnapshot;
  assert.equal(view.hospitals.find((hospital) => hospital.id === 'central')?.occupancy.status, 'current');
  await assert.rejects(
    setup(undefined, undefined, { maxOccupancyAgeMinutes: 0 }),
    /maxOccupancyAgeMinutes must be > 0/,
  );
});
