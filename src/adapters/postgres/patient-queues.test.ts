import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { walkIn } from '../../core/triage/presentation.test-helpers.ts';
import { shippedModel } from '../../core/triage/shipped-model.ts';
import { EmergencyService } from '../../services/emergency/emergency-service.ts';
import { MemoryBus } from '../memory/bus.ts';
import { MemoryRegistry } from '../memory/registry.ts';
import { PostgresAmbulanceTrips } from './ambulance-trips.ts';
import { PostgresPatientQueues } from './patient-queues.ts';
import { skipWithoutPostgres, startTestPostgres } from './postgres.test-helpers.ts';

test(
  'PostgreSQL: two API processes count the same patients called in, and so does a restarted one',
  { skip: skipWithoutPostgres, timeout: 90_000 },
  async (t) => {
    // Regression: a call counted in treatment in the memory of the API process that made it only.
    const server = await startTestPostgres(t, 'ub-postgres-calls-');
    // A queue table of an earlier version, without the calls, with a patient waiting in it.
    const old = new pg.Client({ connectionString: server.url });
    await old.connect();
    await old.query(`CREATE TABLE emergency_queue (hospital text NOT NULL, patient text NOT NULL,
      level smallint NOT NULL CHECK (level BETWEEN 1 AND 5), arrival_millis double precision NOT NULL,
      seq bigserial NOT NULL, PRIMARY KEY (hospital, patient))`);
    await old.query(
      `INSERT INTO emergency_queue (hospital, patient, level, arrival_millis) VALUES ('north', 'old', 4, 1)`,
    );
    await old.end();

    const registry = new MemoryRegistry();
    await registry.putAssets([
      { id: 'north', type: 'hospital', name: 'North', lat: 50, lon: 8, tags: { treatment_spaces: '6' } },
    ]);
    const now = 60_000;
    const apiProcess = async () => {
      const pool = await server.openPool();
      const service = new EmergencyService({
        registry,
        bus: new MemoryBus(),
        queues: new PostgresPatientQueues(pool),
        trips: new PostgresAmbulanceTrips(pool),
        model: shippedModel(),
        nowMillis: () => now,
        latestOccupancy: async () => new Map(),
      });
      await service.start();
      return service;
    };
    const first = await apiProcess();
    const second = await apiProcess();
    const load = async (service: EmergencyService) => (await service.departments())[0]?.inTreatment;
    await first.admit('north', walkIn, 'p1');
    const called = await Promise.all([first.callNext('north'), second.callNext('north')]);
    assert.deepEqual(called.map((patient) => patient?.patientId).sort(), ['old', 'p1']);
    assert.deepEqual([await load(first), await load(second)], [2, 2]);
    assert.equal(await load(await apiProcess()), 2, 'a restarted process counts them too');
  },
);
