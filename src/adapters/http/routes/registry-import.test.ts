import assert from 'node:assert/strict';
import { test } from 'node:test';
import { httpFixture } from '../../../../test/support/http-fixture.ts';
import { MemoryRegistry } from '../../memory/registry.ts';
import { knownAssets } from './registry-import.ts';

void test('finds the registered assets among few ids by lookups and among many by listing', async () => {
  const registry = new MemoryRegistry();
  await registry.putAssets(
    Array.from({ length: 25_000 }, (_, i) => ({
      id: `a${i}`,
      type: 'pump',
      name: '',
      lat: null,
      lon: null,
      tags: {},
    })),
  );
  assert.deepEqual([...(await knownAssets(registry, ['a1', 'nope', 'a24999']))], ['a1', 'a24999']);
  const many = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? `missing${i}` : `a${i * 80}`));
  const known = await knownAssets(registry, many);
  assert.equal(known.size, 200);
  assert.ok(known.has('a23920') && !known.has('missing0'));
});

void test('an import replaces registered records of the same ids and refuses an id repeated in the file', async () => {
  const f = await httpFixture();
  const first = await f.post('admin', '/api/v1/assets', { id: 'c1', type: 'pump', name: 'old' });
  assert.equal(first.status, 201, 'the asset the import replaces is registered first');
  const csv = '\uFEFFid,type,name\r\nc1,pump,"new, north"\r\nc2,valve,x\r\nc2,bridge,y\r\n';
  const response = await f.post('admin', '/api/v1/assets/import', csv, 'text/csv');
  assert.equal(response.status, 200);
  const body = (await response.json()) as { imported: number; rejected: { row: number; rule: string }[] };
  assert.equal(body.imported, 2);
  assert.deepEqual(
    body.rejected.map((r) => [r.row, r.rule]),
    [[4, 'duplicate-id']],
  );
  const stored = await f.registry.listAssets({ limit: 10, offset: 0 });
  assert.deepEqual(
    stored.map((a) => [a.id, a.type, a.name]),
    [
      ['c1', 'pump', 'new, north'],
      ['c2', 'valve', 'x'],
    ],
  );
  const atomic = await f.post(
    'admin',
    '/api/v1/assets/import?atomic=true',
    'id,type\nc3,pump\nc3,pump\n',
    'text/csv',
  );
  assert.equal(atomic.status, 400);
  assert.equal(await f.registry.getAsset('c3'), undefined);
});

void test('an import with existing=keep adds what is new and leaves registered records as they are', async () => {
  const f = await httpFixture();
  await f.post('admin', '/api/v1/assets', { id: 'k1', type: 'pump', name: 'renamed by an operator' });
  const csv = 'id,type,name\nk1,pump,as generated\nk2,valve,new\n';
  const response = await f.post('admin', '/api/v1/assets/import?existing=keep', csv, 'text/csv');
  assert.equal(response.status, 200);
  // Bug: the record left as it was counted as imported too.
  assert.deepEqual(await response.json(), { imported: 1, kept: 1, rejected: [] });
  const stored = await f.registry.listAssets({ limit: 10, offset: 0 });
  assert.deepEqual(
    stored.map((a) => [a.id, a.name]),
    [
      ['k1', 'renamed by an operator'],
      ['k2', 'new'],
    ],
  );
  const sensors = 'id,kind,unit,asset\nk1.flow,flow,l/s,k1\n';
  await f.post('admin', '/api/v1/sensors/import', sensors, 'text/csv');
  await f.registry.updateSensor('k1.flow', async (sensor) => ({ ...sensor, unit: 'm3/h' }));
  const again = await f.post('admin', '/api/v1/sensors/import?existing=keep', sensors, 'text/csv');
  assert.equal(again.status, 200);
  assert.deepEqual(await again.json(), { imported: 0, kept: 1, rejected: [] });
  const replaced = await f.post('admin', '/api/v1/assets/import', csv, 'text/csv');
  assert.deepEqual(await replaced.json(), { imported: 2, kept: 0, rejected: [] });
  assert.equal((await f.registry.getSensor('k1.flow'))?.unit, 'm3/h');

  const bad = await f.post('admin', '/api/v1/assets/import?existing=merge', csv, 'text/csv');
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { error: string }).error, /existing='merge' must be replace or keep/);
});

void test('an import that stores nothing answers 400 with an error beside the rows, also when the file is empty', async () => {
  // Regression: an empty CSV answered 200 with nothing imported, and a whole-file refusal had no `error`.
  const f = await httpFixture();
  const empty = await f.post('admin', '/api/v1/assets/import', '', 'text/csv');
  assert.equal(empty.status, 400);
  const body = (await empty.json()) as {
    error: string;
    imported: number;
    kept: number;
    rejected: { rule: string }[];
  };
  assert.equal(body.error, 'no record was imported');
  assert.deepEqual([body.imported, body.kept, body.rejected.map((r) => r.rule)], [0, 0, ['header']]);
  const atomic = await f.post(
    'admin',
    '/api/v1/assets/import?atomic=true',
    'id,type\nok,pump\n/bad,pump\n',
    'text/csv',
  );
  assert.equal(atomic.status, 400);
  assert.deepEqual(Object.keys((await atomic.json()) as object).sort(), [
    'error',
    'imported',
    'kept',
    'rejected',
  ]);
  assert.deepEqual(await f.registry.listAssets({ limit: 10, offset: 0 }), []);
});
