import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { SensorKeys, sensorIdHash } from './sensor-keys.ts';

test('gives dense keys in order of first sight, continuing after keys loaded back', () => {
  const keys = new SensorKeys();
  keys.load(0, 'pump-1');
  keys.load(1, 'pump-2');
  assert.equal(keys.keyOf('pump-2'), 1);
  assert.equal(keys.keyOf('bridge-9'), 2);
  assert.equal(keys.keyOf('bridge-9'), 2);
  assert.equal(keys.find('nobody'), undefined);
  assert.equal(keys.idOf(2), 'bridge-9');
  assert.equal(keys.size, 3);
  assert.deepEqual(keys.idsFrom(1), ['pump-2', 'bridge-9']);
});

test('answers as a map would for any ids, loaded or first seen, across the table growing', () => {
  fc.assert(
    fc.property(
      fc.array(fc.string({ maxLength: 12, unit: 'binary' }), { maxLength: 3000 }),
      fc.array(fc.string({ maxLength: 12 }), { maxLength: 50 }),
      fc.integer(),
      (seen, asked, seed) => {
        const keys = new SensorKeys(seed);
        const expected = new Map<string, number>();
        for (const id of seen) {
          if (!expected.has(id)) expected.set(id, expected.size);
          assert.equal(keys.keyOf(id), expected.get(id));
        }
        for (const id of [...seen, ...asked]) assert.equal(keys.find(id), expected.get(id));
        assert.equal(keys.size, expected.size);
        for (const [id, key] of expected) assert.equal(keys.idOf(key), id);
      },
    ),
    { numRuns: 60 },
  );
});

test('ids crafted to share one home slot are all found, those beyond the probe limit too', () => {
  const seed = 12345;
  // 60 ids whose hashes meet in one slot of the first table (1,024 slots): more than the 32 slots
  // probed from there, so the last ones go to the overflow map.
  const crowd: string[] = [];
  const home = sensorIdHash('crowd-0', seed) & 1023;
  for (let index = 0; crowd.length < 60; index++) {
    const id = `crowd-${index}`;
    if ((sensorIdHash(id, seed) & 1023) === home) crowd.push(id);
  }
  const keys = new SensorKeys(seed);
  crowd.forEach((id, key) => assert.equal(keys.keyOf(id), key));
  crowd.forEach((id, key) => assert.equal(keys.find(id), key));
  assert.equal(keys.find(`crowd-x`), undefined);
  // Past half full the table doubles and places every id again, the crowd's included.
  for (let index = 0; index < 600; index++) keys.keyOf(`other-${index}`);
  crowd.forEach((id, key) => assert.equal(keys.find(id), key));
  assert.equal(keys.size, 660);
});

test('keys loaded out of order, with gaps, are found and leave the next key after the largest', () => {
  const keys = new SensorKeys();
  keys.load(5, 'valve-5');
  keys.load(2, 'valve-2');
  assert.equal(keys.find('valve-5'), 5);
  assert.equal(keys.find('valve-2'), 2);
  assert.equal(keys.keyOf('valve-new'), 6);
  assert.equal(keys.idOf(3), undefined);
});

test('an id loaded again under another key is found under the later one, as in a Map, also after growing', () => {
  const keys = new SensorKeys(7);
  keys.load(0, 'pump-1');
  keys.load(1, 'pump-1');
  assert.equal(keys.find('pump-1'), 1);
  for (let index = 2; index < 2_000; index++) keys.load(index, `valve-${index}`);
  assert.equal(keys.find('pump-1'), 1);
  assert.equal(keys.find('valve-1999'), 1_999);
});

test('ids asked in the order of last time, in another order, or after an id took a new key: every answer is the map’s', () => {
  // A few lists of ids asked again and again (a gateway's batches), with ids restored under new keys between.
  const lists = fc.array(fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 20 }), {
    minLength: 1,
    maxLength: 3,
  });
  const step = fc.oneof(
    fc.record({ ask: fc.nat() }),
    fc.record({ load: fc.integer({ min: 0, max: 12 }), gap: fc.integer({ min: 0, max: 3 }) }),
  );
  fc.assert(
    fc.property(lists, fc.array(step, { maxLength: 16 }), fc.integer(), (asked, steps, seed) => {
      const keys = new SensorKeys(seed);
      const expected = new Map<string, number>();
      let next = 0;
      for (const item of steps) {
        if ('load' in item) {
          // An id (known or not) restored under a key no other id has.
          const key = next + item.gap;
          keys.load(key, `s${item.load}`);
          expected.set(`s${item.load}`, key);
          next = key + 1;
          continue;
        }
        for (const index of asked[item.ask % asked.length] ?? []) {
          const id = `s${index}`;
          if (!expected.has(id)) expected.set(id, next++);
          assert.equal(keys.keyOf(id), expected.get(id), id);
        }
      }
    }),
    { numRuns: 500 },
  );
});
