import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Sensor } from '../../core/registry/asset.ts';
import { unknownSensor } from '../../core/registry/asset.ts';
import {
  checkRegistryFilters,
  checkRegistryKeep,
  checkRegistryLookups,
  checkRegistryUpdates,
} from '../registry.contract.ts';
import { MemoryRegistry } from './registry.ts';

function sensor(id: string, asset: string | null = null): Sensor {
  return { ...unknownSensor(id), kind: 'flow', asset };
}

void test('lists answer in id order, as the database adapters do, also after changes', async () => {
  // Regression: the memory registry listed in insertion order, so pages differed from DuckDB's.
  const registry = new MemoryRegistry();
  await registry.putAssets(
    ['p3', 'p1', 'p2'].map((id) => ({ id, type: 'pump', name: '', lat: null, lon: null, tags: {} })),
  );
  await registry.putSensors([sensor('s3', 'p3'), sensor('s1', 'p3')]);
  await registry.addMissingSensors([unknownSensor('s2'), unknownSensor('s0')]);
  const ids = async () => (await registry.listSensors({ limit: 10, offset: 0 })).map((s) => s.id);
  assert.deepEqual(await ids(), ['s0', 's1', 's2', 's3']);
  assert.deepEqual(
    (await registry.listAssets({ limit: 2, offset: 1 })).map((a) => a.id),
    ['p2', 'p3'],
  );
  assert.equal(await registry.deleteSensor('s1'), true);
  await registry.putSensors([sensor('s1')]);
  assert.deepEqual(await ids(), ['s0', 's1', 's2', 's3']);
  assert.equal(await registry.deleteAsset('p3'), true);
  assert.deepEqual(
    (await registry.listSensors({ asset: 'p3', limit: 10, offset: 0 })).map((s) => s.id),
    [],
  );
  assert.equal((await registry.getSensor('s3'))?.asset, null);
  assert.deepEqual(
    (await registry.listAssets({ limit: 10, offset: 0 })).map((a) => a.id),
    ['p1', 'p2'],
  );
});

void test('lists filter by bounding box and tags', async () => {
  await checkRegistryFilters(new MemoryRegistry());
});

void test('many sensors are found by id at once', async () => {
  await checkRegistryLookups(new MemoryRegistry());
});

void test('updates at once each see the ones before them', async () => {
  await checkRegistryUpdates(new MemoryRegistry());
});

void test('a put that keeps registered records leaves them as they are', async () => {
  await checkRegistryKeep(new MemoryRegistry());
});
