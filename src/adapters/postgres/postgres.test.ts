import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import type { Alert } from '../../core/maintenance/alert.ts';
import { applyAlert } from '../../core/maintenance/work-order.ts';
import { freePort } from '../free-port.ts';
import { PostgresKeyStore } from './keys-store.ts';
import { checkAmbulanceTripStore } from '../ambulance-trips.contract.ts';
import { checkPatientQueueStore } from '../patient-queues.contract.ts';
import {
  checkRegistryFilters,
  checkRegistryKeep,
  checkRegistryLookups,
  checkRegistryUpdates,
} from '../registry.contract.ts';
import { PostgresAmbulanceTrips } from './ambulance-trips.ts';
import { PostgresMaintenanceRepository } from './maintenance-repository.ts';
import { PostgresPatientQueues } from './patient-queues.ts';
import { openPool } from './pool.ts';
import { PostgresRegistry } from './registry.ts';
import { hasPostgres, startPostgresServer, stopPostgresServer } from './server-process.ts';

const skip = hasPostgres() ? false : 'PostgreSQL 15 or later is not installed (Debian package postgresql)';

function alertDraft(id: string, sensor: string, ts: number): Omit<Alert, 'workOrder'> {
  return { id, sensor, asset: 'pump-1', score: 0.99, threshold: 0.9, ts, evidence: [] };
}

test(
  'PostgreSQL: registry, keys, alerts recorded once with one active order per asset, shared emergency queues',
  { skip, timeout: 90_000 },
  async () => {
    const directory = await mkdtemp(join(tmpdir(), 'ub-postgres-'));
    let pool: pg.Pool | undefined;
    try {
      // A port of its own: on a fixed one, a server already there would be tested instead.
      const port = await freePort();
      const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
      await startPostgresServer(directory, port);
      pool = await openPool(url);
      const registry = new PostgresRegistry(pool, { maxCachedSensors: 100 });
      await registry.putAssets([{ id: 'pump-1', type: 'pump', name: 'P1', lat: 52, lon: 13, tags: {} }]);
      await registry.putSensors([
        { id: 's-1', kind: 'pressure', unit: 'bar', asset: 'pump-1', lat: null, lon: null, tags: { a: 'b' } },
      ]);
      await registry.addMissingSensors([
        { id: 's-2', kind: 'unknown', unit: '', asset: null, lat: null, lon: null, tags: {} },
      ]);
      assert.equal((await registry.getSensor('s-1'))?.tags.a, 'b');
      assert.deepEqual(await registry.sensorsWithin({ minLat: 51, maxLat: 53, minLon: 12, maxLon: 14 }), [
        's-1',
      ]);
      // On a database of its own: the contract starts from an empty registry.
      await pool.query('CREATE DATABASE registry_filters');
      const filtered = await openPool(`postgres://postgres@127.0.0.1:${port}/registry_filters`);
      try {
        await checkRegistryFilters(new PostgresRegistry(filtered, { maxCachedSensors: 100 }));
        await checkRegistryLookups(new PostgresRegistry(filtered, { maxCachedSensors: 100 }));
        // Two registries on the pool's connections, as two processes sharing the database.
        await checkRegistryUpdates(
          new PostgresRegistry(filtered, { maxCachedSensors: 100 }),
          new PostgresRegistry(filtered, { maxCachedSensors: 100 }),
        );
        await checkRegistryKeep(
          new PostgresRegistry(filtered, { maxCachedSensors: 100 }),
          new PostgresRegistry(filtered, { maxCachedSensors: 100 }),
        );
        // A change made through another process reaches this one's cached details once they age out.
        const here = new PostgresRegistry(filtered, { maxCachedSensors: 100, detailsMaxAgeMillis: 100 });
        const there = new PostgresRegistry(filtered, { maxCachedSensors: 100 });
        assert.equal((await here.getSensor('upd-s'))?.unit, 'V');
        await there.updateSensor('upd-s', async (sensor) => ({ ...sensor, unit: 'A' }));
        await new Promise((resolve) => setTimeout(resolve, 150));
        assert.equal((await here.getSensor('upd-s'))?.unit, 'A');
      } finally {
        await filtered.end();
      }
      const other = new PostgresRegistry(pool, { maxCachedSensors: 100 });
      assert.equal(other.hasSensor('s-2'), false, 'a process knows only the sensors it met');
      await other.warm(['s-2', 's-9']);
      assert.equal(other.hasSensor('s-2'), true);
      assert.equal(other.hasSensor('s-9'), false);

      const keys = new PostgresKeyStore(pool, 0);
      await keys.add({
        id: 'k1',
        name: 'ops',
        role: 'operator',
        hash: 'h1',
        createdMillis: 5,
        revokedMillis: null,
      });
      assert.equal((await keys.findByHash('h1'))?.role, 'operator');
      assert.equal(await keys.revoke('k1', 9), true);
      assert.equal(await keys.revoke('k1', 9), false);
      assert.equal((await keys.findByHash('h1'))?.revokedMillis, 9);

      const repository = new PostgresMaintenanceRepository(pool);
      const first = applyAlert(undefined, alertDraft('a1', 's-1', 1_000), 'pump', 'w1');
      await repository.recordAlert(first.alert, first.order);
      const replayed = applyAlert(undefined, alertDraft('a1-again', 's-1', 1_000), 'pump', 'w-dup');
      await repository.recordAlert(replayed.alert, replayed.order);
      // A second process, not yet seeing w1, opens its own order for the same asset.
      const racing = applyAlert(undefined, alertDraft('a2', 's-2', 2_000), 'pump', 'w2');
      await repository.recordAlert(racing.alert, racing.order);

      const alerts = await repository.listAlerts({ limit: 10 });
      assert.deepEqual(
        alerts.map((alert) => alert.id),
        ['a2', 'a1'],
        'the replayed alert is dropped',
      );
      assert.deepEqual(
        (await repository.listAlerts({ limit: 10, offset: 1 })).map((alert) => alert.id),
        ['a1'],
        'a page further on',
      );
      const orders = await repository.listWorkOrders({ limit: 10 });
      assert.equal(orders.length, 1, 'one work order for the asset');
      assert.deepEqual(orders[0]?.alertIds, ['a1', 'a2']);
      assert.equal(alerts[0]?.workOrder, 'w1');
      assert.equal((await repository.activeWorkOrder('pump-1'))?.id, 'w1');

      // Emergency queues: the contract, then two API processes (two pools) calling at once.
      const queues = new PostgresPatientQueues(pool);
      await checkPatientQueueStore(queues);
      await queues.withdraw('south', 'a');
      for (let index = 0; index < 40; index += 1) {
        await queues.add({ hospital: 'west', patientId: `w${index}`, level: 3, arrivalMillis: index });
      }
      const secondPool = await openPool(url);
      try {
        const second = new PostgresPatientQueues(secondPool);
        const taken = await Promise.all(
          Array.from({ length: 50 }, (_, index) =>
            (index % 2 === 0 ? queues : second).takeNext('west', 5_000),
          ),
        );
        const ids = taken.flatMap((entry) => (entry === undefined ? [] : [entry.patientId]));
        assert.equal(ids.length, 40, 'every waiting patient is called');
        assert.equal(new Set(ids).size, 40, 'no patient is called twice');
        const called = (await second.called(5_000)).filter((call) => call.hospital === 'west');
        assert.deepEqual(
          called.map((call) => call.patientId).sort(),
          [...ids].sort(),
          'each call is recorded once, and seen from either process',
        );

        // Ambulances en route: the contract, then arrivals at once from two API processes.
        const trips = new PostgresAmbulanceTrips(pool);
        await checkAmbulanceTripStore(trips);
        for (let index = 0; index < 20; index += 1) {
          await trips.add({
            id: `r${index}`,
            hospital: 'west',
            level: 2,
            sentMillis: index,
            untilMillis: 1e12,
          });
        }
        const otherTrips = new PostgresAmbulanceTrips(secondPool);
        const ended = await Promise.all(
          Array.from({ length: 30 }, (_, index) =>
            (index % 2 === 0 ? trips : otherTrips).arrived('west', 2, 100),
          ),
        );
        const tripIds = ended.flatMap((trip) => (trip === undefined ? [] : [trip.id]));
        assert.equal(tripIds.length, 20, 'every trip ends on an arrival');
        assert.equal(new Set(tripIds).size, 20, 'no trip is ended twice');
      } finally {
        await secondPool.end();
      }
    } finally {
      await pool?.end();
      stopPostgresServer(directory);
      await rm(directory, { recursive: true, force: true });
    }
  },
);

test(
  'PostgreSQL: a server that cannot take its port is an error, not a silent use of whatever holds it',
  { skip, timeout: 60_000 },
  async () => {
    const directory = await mkdtemp(join(tmpdir(), 'ub-postgres-port-'));
    const holder = createServer(() => undefined).listen(0, '127.0.0.1');
    try {
      await once(holder, 'listening');
      const port = (holder.address() as AddressInfo).port;
      await assert.rejects(startPostgresServer(directory, port), /another server holds the port/);
    } finally {
      holder.close();
      await rm(directory, { recursive: true, force: true });
    }
  },
);
