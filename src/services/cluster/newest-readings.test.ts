import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NewestReadings } from './newest-readings.ts';

test('a sensor not recorded is not advanced: its readings stay to be checked', () => {
  const newest = new NewestReadings();
  assert.equal(newest.get('pump-1'), undefined);
  assert.equal(newest.advance('pump-1', 10), false);
  assert.equal(newest.get('pump-1'), undefined);
  assert.equal(newest.size, 0);
});

test('a recorded sensor advances only on newer readings, and raise never lowers it', () => {
  const newest = new NewestReadings();
  newest.raise('pump-1', 10);
  assert.equal(newest.advance('pump-1', 10), false, 'the same time is not newer');
  assert.equal(newest.advance('pump-1', 9), false);
  assert.equal(newest.advance('pump-1', 11), true);
  assert.equal(newest.get('pump-1'), 11);
  newest.raise('pump-1', 5);
  assert.equal(newest.get('pump-1'), 11);
  newest.raise('pump-1', 20);
  assert.equal(newest.get('pump-1'), 20);
  assert.equal(newest.size, 1);
});

test('a million sensors keep their own times through growth, in at most 48 bytes a sensor', () => {
  const newest = new NewestReadings(16);
  const sensors = 1_000_000;
  for (let index = 0; index < sensors; index += 1)
    newest.raise(`city/district-${index % 97}/sensor-${index}`, index);
  assert.equal(newest.size, sensors);
  for (let index = 0; index < sensors; index += 1_003)
    assert.equal(newest.get(`city/district-${index % 97}/sensor-${index}`), index);
  assert.equal(newest.get('city/district-0/sensor-1000000'), undefined);
  const bytesPerSensor = newest.bytes / sensors;
  assert.ok(bytesPerSensor <= 48, `${bytesPerSensor} bytes a sensor`);
});
