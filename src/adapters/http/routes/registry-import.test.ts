import assert from 'node:assert/strict';
import { test } from 'node:test';
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
