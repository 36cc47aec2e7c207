import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { SensorIdSet } from './sensor-id-set.ts';

test('answers as a Set would through any adds and deletes, across the table growing', () => {
  const operation = fc.record({ add: fc.boolean(), id: fc.string({ maxLength: 6, unit: 'binary' }) });
  fc.assert(
    fc.property(
      fc.array(fc.string({ maxLength: 6 }), { maxLength: 20 }),
      fc.array(operation, { maxLength: 3000 }),
      (initial, operations) => {
        const ids = new SensorIdSet(initial);
        const expected = new Set(initial);
        for (const { add, id } of operations) {
          if (add) assert.equal(ids.add(id), !expected.has(id));
          else assert.equal(ids.delete(id), expected.has(id));
          if (add) expected.add(id);
          else expected.delete(id);
          assert.equal(ids.has(id), expected.has(id));
        }
        for (const { id } of operations) assert.equal(ids.has(id), expected.has(id));
        assert.equal(ids.size, expected.size);
      },
    ),
    { numRuns: 60 },
  );
});

test('an id deleted and added again is present once', () => {
  const ids = new SensorIdSet(['pump-1', 'pump-2']);
  assert.equal(ids.delete('pump-1'), true);
  assert.equal(ids.delete('pump-1'), false);
  assert.equal(ids.has('pump-1'), false);
  assert.equal(ids.add('pump-1'), true);
  assert.equal(ids.add('pump-1'), false);
  assert.equal(ids.has('pump-1'), true);
  assert.equal(ids.size, 2);
});
