import assert from 'node:assert/strict';
import { unknownSensor, type Asset, type Sensor } from '../core/registry/asset.ts';
import type { Registry } from '../ports/registry.ts';

const asset = (id: string, lat: number | null, lon: number | null, tags: Record<string, string>): Asset => ({
  id,
  type: 'pump',
  name: id,
  lat,
  lon,
  tags,
});

const sensor = (
  id: string,
  assetId: string | null,
  lat: number | null,
  lon: number | null,
  tags: Record<string, string>,
): Sensor => ({ id, kind: 'flow', unit: 'l/s', asset: assetId, lat, lon, tags });

/**
 * What every `Registry` must do with the lists' `bbox` and `tags` filters, run against each adapter
 * by its own test: a sensor is placed by its own position or else its asset's; every tag condition
 * must hold; keys with `/`, `~`, `=` or quotes are matched as written; filters combine with paging.
 */
export async function checkRegistryFilters(registry: Registry): Promise<void> {
  await registry.putAssets([
    asset('north', 52.5, 13.4, { district: 'north', 'a/b~c': 'x"y' }),
    asset('south', 48.1, 11.6, { district: 'south', owner: 'city' }),
    asset('nowhere', null, null, { district: 'north' }),
  ]);
  await registry.putSensors([
    sensor('n-1', 'north', null, null, { zone: 'a', 'k=v': 'w' }),
    sensor('n-2', 'north', 48.2, 11.5, { zone: 'b' }), // its own position lies in the south
    sensor('s-1', 'south', null, null, { zone: 'a', spare: '' }),
    sensor('free', null, 52.6, 13.3, {}),
    sensor('lost', null, null, null, { zone: 'a' }),
  ]);
  const page = { limit: 100, offset: 0 };
  const northBox = { minLon: 13, minLat: 52, maxLon: 14, maxLat: 53 };
  const sensors = async (filter: Parameters<Registry['listSensors']>[0]) =>
    (await registry.listSensors(filter)).map((s) => s.id);
  const assets = async (filter: Parameters<Registry['listAssets']>[0]) =>
    (await registry.listAssets(filter)).map((a) => a.id);

  assert.deepEqual(
    await sensors({ ...page, bbox: northBox }),
    ['free', 'n-1'],
    'own position, else the asset’s',
  );
  assert.deepEqual(await sensors({ ...page, bbox: { minLon: 11, minLat: 48, maxLon: 12, maxLat: 49 } }), [
    'n-2',
    's-1',
  ]);
  assert.deepEqual(
    await sensors({ ...page, bbox: { minLon: 13.3, minLat: 52.6, maxLon: 13.3, maxLat: 52.6 } }),
    ['free'],
    'edges included',
  );
  assert.deepEqual(await sensors({ ...page, tags: [{ key: 'zone', value: 'a' }] }), ['lost', 'n-1', 's-1']);
  assert.deepEqual(
    await sensors({ ...page, tags: [{ key: 'spare', value: null }] }),
    ['s-1'],
    'any value, even empty',
  );
  assert.deepEqual(await sensors({ ...page, tags: [{ key: 'spare', value: '' }] }), ['s-1']);
  assert.deepEqual(await sensors({ ...page, tags: [{ key: 'k=v', value: 'w' }] }), ['n-1']);
  assert.deepEqual(
    await sensors({ ...page, tags: [{ key: 'zone', value: 'a' }], bbox: northBox, asset: 'north' }),
    ['n-1'],
    'all filters hold together',
  );
  assert.deepEqual(
    await sensors({
      ...page,
      tags: [
        { key: 'zone', value: 'a' },
        { key: 'spare', value: null },
      ],
    }),
    ['s-1'],
    'every tag condition holds',
  );
  assert.deepEqual(await sensors({ ...page, tags: [{ key: 'zone', value: 'c' }] }), []);
  assert.deepEqual(
    await sensors({ limit: 1, offset: 1, tags: [{ key: 'zone', value: 'a' }] }),
    ['n-1'],
    'paged',
  );

  assert.deepEqual(await assets({ ...page, bbox: northBox }), ['north']);
  assert.deepEqual(await assets({ ...page, tags: [{ key: 'district', value: 'north' }] }), [
    'north',
    'nowhere',
  ]);
  assert.deepEqual(await assets({ ...page, tags: [{ key: 'a/b~c', value: 'x"y' }] }), ['north']);
  assert.deepEqual(await assets({ ...page, tags: [{ key: 'owner', value: null }], type: 'pump' }), ['south']);
  assert.deepEqual(await assets({ ...page, tags: [{ key: 'owner', value: null }], type: 'bridge' }), []);
}

/**
 * What every `Registry` must do with updates, run against each adapter by its own test: updates at
 * once, here and through `other` (a second instance sharing the store, as another process would),
 * each see the ones before them; a change that throws stores nothing; the id stays; an unknown id
 * gives undefined without calling the change.
 */
export async function checkRegistryUpdates(registry: Registry, other: Registry = registry): Promise<void> {
  await registry.putAssets([asset('upd-p', 1, 2, { a: '1' })]);
  await registry.putSensors([sensor('upd-s', 'upd-p', null, null, { zone: 'a' })]);
  const pause = () => new Promise((resolve) => setTimeout(resolve, 20));
  const keys = ['t1', 't2', 't3', 't4', 't5', 't6'];
  await Promise.all(
    keys.map((key, index) =>
      (index % 2 === 0 ? registry : other).updateSensor('upd-s', async (current) => {
        await pause(); // between the read and the write: another update must wait
        return { ...current, tags: { ...current.tags, [key]: 'x' } };
      }),
    ),
  );
  // Read from the store by a list (a process may cache the sensors it met).
  const stored = async () =>
    (await registry.listSensors({ limit: 1_000, offset: 0 })).find((s) => s.id === 'upd-s');
  assert.deepEqual(Object.keys((await stored())?.tags ?? {}).sort(), [
    't1',
    't2',
    't3',
    't4',
    't5',
    't6',
    'zone',
  ]);
  await Promise.all(
    ['b', 'c'].map((key, index) =>
      (index === 0 ? registry : other).updateAsset('upd-p', async (current) => {
        await pause();
        return { ...current, tags: { ...current.tags, [key]: '2' } };
      }),
    ),
  );
  assert.deepEqual(
    (await other.listAssets({ limit: 1_000, offset: 0 })).find((a) => a.id === 'upd-p')?.tags,
    {
      a: '1',
      b: '2',
      c: '2',
    },
  );

  await assert.rejects(
    registry.updateSensor('upd-s', async (current) => {
      await pause();
      void current;
      throw new Error('refused');
    }),
    /refused/,
  );
  assert.equal((await stored())?.unit, 'l/s', 'a refused change stores nothing');
  const moved = await registry.updateSensor('upd-s', async (current) => ({
    ...current,
    id: 'elsewhere',
    unit: 'V',
  }));
  assert.equal(moved?.id, 'upd-s');
  assert.equal((await stored())?.unit, 'V');
  assert.equal(await registry.getSensor('elsewhere'), undefined, 'the id stays');
  let called = false;
  assert.equal(
    await registry.updateSensor('ghost', async (current) => {
      called = true;
      return current;
    }),
    undefined,
  );
  assert.equal(await registry.updateAsset('ghost', async (current) => current), undefined);
  assert.equal(called, false);
}

/**
 * What every `Registry` must do with `existing: 'keep'`: records already registered stay exactly as
 * they are (an operator's changes survive whoever registers them again), the others are stored
 * (the last of an id given twice); the default still replaces. `other` shares the store.
 */
export async function checkRegistryKeep(registry: Registry, other: Registry = registry): Promise<void> {
  await registry.putAssets([asset('keep-p', 1, 2, { a: '1' })]);
  await registry.putSensors([sensor('keep-s', 'keep-p', null, null, { zone: 'a' })]);
  await registry.updateAsset('keep-p', async (current) => ({
    ...current,
    name: 'Renamed',
    tags: { a: '2' },
  }));
  await registry.updateSensor('keep-s', async (current) => ({ ...current, unit: 'm3/h' }));

  await other.putAssets(
    [
      asset('keep-p', 3, 4, { a: '1' }),
      asset('keep-new', 5, 6, { b: '1' }),
      asset('keep-new', 7, 8, { b: '2' }),
    ],
    { existing: 'keep' },
  );
  await other.putSensors(
    [sensor('keep-s', 'keep-p', null, null, { zone: 'a' }), sensor('keep-s2', 'keep-new', 1, 1, {})],
    { existing: 'keep' },
  );
  const assets = await registry.listAssets({ limit: 1_000, offset: 0 });
  assert.deepEqual(
    assets.find((a) => a.id === 'keep-p'),
    { id: 'keep-p', type: 'pump', name: 'Renamed', lat: 1, lon: 2, tags: { a: '2' } },
    'a registered asset is kept as changed',
  );
  assert.deepEqual(
    assets.find((a) => a.id === 'keep-new'),
    asset('keep-new', 7, 8, { b: '2' }),
  );
  assert.equal(assets.filter((a) => a.id === 'keep-new').length, 1);
  const sensors = await registry.listSensors({ limit: 1_000, offset: 0 });
  assert.equal(
    sensors.find((s) => s.id === 'keep-s')?.unit,
    'm3/h',
    'a registered sensor is kept as changed',
  );
  assert.deepEqual(
    sensors.find((s) => s.id === 'keep-s2'),
    sensor('keep-s2', 'keep-new', 1, 1, {}),
  );
  assert.equal(other.hasSensor('keep-s2'), true);
  assert.equal((await other.getSensor('keep-s'))?.unit, 'm3/h');

  await other.putAssets([asset('keep-p', 3, 4, {})]);
  assert.deepEqual(await registry.getAsset('keep-p'), asset('keep-p', 3, 4, {}), 'the default replaces');
}

/**
 * `getSensors` finds many sensors at once: each registered one once, whole, whatever the order or
 * repetition of the ids asked for (registered by `addMissingSensors` too); the others are left out.
 */
export async function checkRegistryLookups(registry: Registry): Promise<void> {
  const stored = sensor('look-b', null, 1, 2, { zone: 'a' });
  await registry.putSensors([stored, sensor('look-a,x', null, null, null, {})]);
  await registry.addMissingSensors([unknownSensor('look-new')]);
  const found = await registry.getSensors([
    'look-missing',
    'look-b',
    'look-new',
    'look-b',
    'look-a,x',
    'look-a',
  ]);
  assert.deepEqual(found.map((s) => s.id).sort(), ['look-a,x', 'look-b', 'look-new']);
  assert.deepEqual(
    found.find((s) => s.id === 'look-b'),
    stored,
  );
  assert.deepEqual(await registry.getSensors([]), []);
}
