import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SensorKeys } from './sensor-keys.ts';

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
