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
import { MemoryRegistry } from '../../memory/registry.ts';
import type { AppEnv } from '../env.ts';
import { authenticate } from '../middleware/auth.ts';
import { emergencyRoutes } from './emergency.ts';

const stable = {
  sex: 'female',
  ageYears: 34,
  arrivalMode: 'walk',
  injury: false,
  chiefComplaint: 'ankle pain',
  mental: 'alert',
  pain: true,
  painScore: 3,
  systolicMmHg: 120,
  diastolicMmHg: 80,
  heartRatePerMinute: 78,
  respiratoryRatePerMinute: 16,
  temperatureCelsius: 36.6,
  oxygenSaturationPercent: 98,
};
const critical = { ...stable, ageYears: 58, chiefComplaint: 'chest pain', heartRatePerMinute: 130 };
const criticalWithHypoxia = { ...critical, oxygenSaturationPercent: 88, arrivalMode: 'public-ambulance' };

async function setup(
  queues: PatientQueueStore = new MemoryPatientQueues(),
  latestOccupancy?: EmergencyServiceOptions['latestOccupancy'],
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
    ...(latestOccupancy === undefined ? {} : { latestOccupancy }),
    model: shippedModel(),
    nowMillis: () => (now += 1000),
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
  return { call, bus, events, advance };
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

test('rejects a presentation carrying the nurse level, naming the field', async () => {
  const { call } = await setup();
  const response = await call('viewer', 'POST', '/api/v1/triage', { ...stable, KTAS_RN: 2 });
  assert.equal(response.status, 400);
  const body = (await response.json()) as { issues: { field: string }[] };
  assert.ok(body.issues.some((issue) => issue.field === 'KTAS_RN'));
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

test('sends an urgent patient past a full nearby hospital once its occupancy arrives as a reading', async () => {
  const { call, bus, events } = await setup();
  const request = { location: { lat: 50.0, lon: 8.001 }, level: 2 };
  const before = (await (await call('viewer', 'POST', '/api/v1/ems/destination', request)).json()) as {
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
  const after = (await (await call('viewer', 'POST', '/api/v1/ems/destination', request)).json()) as {
    hospital: string;
    reason: string;
  };
  assert.equal(after.hospital, 'east', after.reason);
  assert.match(after.reason, /central/);
  assert.ok(events.includes('ems-recommendation'));
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
    return new Map(stored > 0 ? [['central.occupancy', { value: stored }]] : []);
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

test('an ambulance sent to a hospital counts there until it is admitted, or until it is long overdue', async () => {
  const { call, bus, advance } = await setup();
  await bus.publish('readings', [{ sensor: 'central.occupancy', ts: 1, value: 1 }]);
  await new Promise((resolve) => setImmediate(resolve));
  const request = { location: { lat: 50.0, lon: 8.001 }, level: 2 };
  const destination = async () =>
    (
      (await (await call('viewer', 'POST', '/api/v1/ems/destination', request)).json()) as {
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
  assert.equal(view.recommendations.length, 1);
  const [recommendation] = view.recommendations;
  assert.equal(recommendation?.hospital, 'East');
  assert.equal(recommendation?.nearest, 'Central');
  assert.equal(recommendation?.level, 2);
  assert.match(recommendation?.reason ?? '', /^East: .* beats nearest Central: /);
  assert.ok((recommendation?.expectedMinutes ?? 0) >= (recommendation?.travelMinutes ?? Infinity));
});
