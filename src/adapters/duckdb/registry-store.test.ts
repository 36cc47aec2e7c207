import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Sensor } from '../../core/registry/asset.ts';
import { unknownSensor } from '../../core/registry/asset.ts';
import { openDatabase } from './database.ts';
import { DuckDbKeyStore } from './keys-store.ts';
import { DuckDbRegistry } from './registry-store.ts';
import {
  checkRegistryFilters,
  checkRegistryKeep,
  checkRegistryLookups,
  checkRegistryUpdates,
} from '../registry.contract.ts';

function sensor(id: string, asset: string | null, lat: number | null, lon: number | null): Sensor {
  return { id, kind: 'flow', unit: 'l/s', asset, lat, lon, tags: { zone: 'a' } };
}

void test('the DuckDB registry keeps assets, sensors and keys across a reopen of the file', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'urban-brain-registry-'));
  try {
    let database = await openDatabase({ dataDir });
    let registry = await DuckDbRegistry.open(database);
    const keys = await DuckDbKeyStore.open(database);
    await registry.putAssets([
      { id: 'p1', type: 'pump', name: 'Pump', lat: 52, lon: 4, tags: { district: 'n' } },
    ]);
    await registry.putSensors([
      sensor('s1', 'p1', null, null),
      sensor('s2', null, 10, 10),
      sensor('s2', null, 11, 11),
    ]);
    await registry.addMissingSensors([unknownSensor('s1'), unknownSensor('s3'), sensor('s5', null, 1, 2)]);
    await keys.add({
      id: 'abc',
      name: 'k',
      role: 'viewer',
      hash: 'h'.repeat(64),
      createdMillis: 5,
      revokedMillis: null,
    });
    assert.equal(await keys.revoke('abc', 9), true);
    await registry.close();
    database.close();

    database = await openDatabase({ dataDir });
    registry = await DuckDbRegistry.open(database);
    const reopenedKeys = await DuckDbKeyStore.open(database);
    assert.deepEqual(await registry.getAsset('p1'), {
      id: 'p1',
      type: 'pump',
      name: 'Pump',
      lat: 52,
      lon: 4,
      tags: { district: 'n' },
    });
    assert.deepEqual(
      await registry.getSensor('s1'),
      sensor('s1', 'p1', null, null),
      'auto-register left s1 untouched',
    );
    assert.deepEqual(
      await registry.getSensor('s2'),
      sensor('s2', null, 11, 11),
      'the last row of an id in a batch wins',
    );
    // Registered by id alone (one column, rows made by a statement) and with every field.
    assert.deepEqual(await registry.getSensor('s3'), unknownSensor('s3'));
    assert.deepEqual(await registry.getSensor('s5'), sensor('s5', null, 1, 2));
    assert.ok(registry.hasSensor('s3') && !registry.hasSensor('s4'));
    assert.deepEqual(
      (await registry.listSensors({ asset: 'p1', limit: 10, offset: 0 })).map((s) => s.id),
      ['s1'],
    );
    assert.deepEqual(await registry.sensorsWithin({ minLat: 51, maxLat: 53, minLon: 3, maxLon: 5 }), ['s1']);
    assert.equal(await registry.deleteAsset('p1'), true);
    assert.equal((await registry.getSensor('s1'))?.asset, null);
    assert.equal(await registry.deleteSensor('s3'), true);
    assert.equal(registry.hasSensor('s3'), false);
    const [key] = await reopenedKeys.list();
    assert.deepEqual([key?.id, key?.role, key?.revokedMillis], ['abc', 'viewer', 9]);
    database.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

void test('the DuckDB registry filters lists by bounding box and tags', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'urban-brain-registry-'));
  try {
    const database = await openDatabase({ dataDir });
    const registry = await DuckDbRegistry.open(database);
    await checkRegistryFilters(registry);
    await checkRegistryLookups(registry);
    await checkRegistryUpdates(registry);
    await checkRegistryKeep(registry);
    await registry.close();
    database.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

void test('flush writes auto-registered sensors at once, for another connection to the file to see', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'urban-brain-registry-'));
  try {
    const database = await openDatabase({ dataDir });
    const registry = await DuckDbRegistry.open(database, { registerDelayMillis: 60_000 });
    const other = await database.connect();
    const stored = async () =>
      Number(
        (
          await other.runAndReadAll("SELECT count(*) FROM registry_sensors WHERE id = 'late'")
        ).getRows()[0]?.[0],
      );
    await registry.addMissingSensors([unknownSensor('late')]);
    assert.equal(registry.hasSensor('late'), true);
    assert.equal(await stored(), 0, 'waiting to be written');
    await registry.flush();
    assert.equal(await stored(), 1);
    await registry.close();
    database.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

void test('sensors registered by id alone or put whole leave no storage behind in the temporary tables they pass through', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'urban-brain-registry-'));
  try {
    const database = await openDatabase({ dataDir });
    const registry = await DuckDbRegistry.open(database);
    const connection = await database.connect();
    // Temporary tables are in memory (DuckDB's IN_MEMORY_TABLE).
    const held = async () => {
      const memory = await connection.runAndReadAll(
        "SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory() WHERE tag = 'IN_MEMORY_TABLE'",
      );
      return Number(memory.getRows()[0]?.[0]);
    };
    const ids = (round: number) =>
      Array.from({ length: 20_000 }, (_, index) => `district-${round}/sensor-${index}`);
    for (let round = 0; round < 15; round++) {
      await registry.addMissingSensors(ids(round).map(unknownSensor));
      await registry.flush();
    }
    // Emptied with DELETE, the table kept the storage of the rows that went through it: 9.2 MB.
    const byId = await held();
    assert.ok(byId < 2_000_000, `${byId} bytes held by temporary tables after registering by id`);
    for (let round = 0; round < 15; round++)
      await registry.putSensors(ids(round).map((id) => sensor(`${id}/put`, null, 1, 2)));
    // Emptied with DELETE: 39.8 MB; made anew, 5.7 MB.
    const put = await held();
    assert.ok(put < 12_000_000, `${put} bytes held by temporary tables after putting sensors`);
    const counted = await connection.runAndReadAll('SELECT count(*) FROM registry_sensors');
    assert.equal(Number(counted.getRows()[0]?.[0]), 600_000);
    await registry.close();
    database.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
