import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sensorKeysOf, withSensorKeys } from './reading-batch.ts';

const readings = [
  { sensor: 'a', ts: 1, value: 1 },
  { sensor: 'b', ts: 2, value: 2 },
];

test('a batch carries its sensor keys without changing how it serialises or iterates', () => {
  const batch = withSensorKeys([...readings], Int32Array.of(4, 9));
  assert.deepEqual([...(sensorKeysOf(batch) ?? [])], [4, 9]);
  assert.equal(JSON.stringify(batch), JSON.stringify(readings));
  assert.deepEqual(Object.keys(batch), ['0', '1']);
  assert.deepEqual([...batch], readings);
});

test('keys must be one per reading, and a batch filtered since has none', () => {
  assert.throws(() => withSensorKeys([...readings], Int32Array.of(1)), /1 sensor keys for 2 readings/);
  const batch = withSensorKeys([...readings], Int32Array.of(4, 9));
  assert.equal(sensorKeysOf(batch.filter((reading) => reading.ts > 1)), undefined);
  assert.equal(sensorKeysOf(readings), undefined);
});
