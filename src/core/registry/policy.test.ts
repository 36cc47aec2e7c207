import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyUnknownSensorPolicy } from './policy.ts';

const readings = [
  { sensor: 'known', ts: 1, value: 1 },
  { sensor: 'new', ts: 1, value: 2 },
  { sensor: 'new', ts: 2, value: 3 },
];
const isKnown = (id: string) => id === 'known';

void test('auto-register lets every reading through and lists each unknown sensor once', () => {
  const outcome = applyUnknownSensorPolicy(readings, 'auto-register', isKnown);
  assert.equal(outcome.readings.length, 3);
  assert.deepEqual(outcome.toRegister, ['new']);
  assert.deepEqual(outcome.rejected, []);
});

void test('reject refuses readings of unknown sensors with rule unknown-sensor at the original item index', () => {
  const outcome = applyUnknownSensorPolicy(readings, 'reject', isKnown, [0, 2, 5]);
  assert.deepEqual(outcome.readings, [readings[0]]);
  assert.deepEqual(
    outcome.rejected.map((r) => [r.index, r.field, r.value, r.rule]),
    [
      [2, 'sensor', 'new', 'unknown-sensor'],
      [5, 'sensor', 'new', 'unknown-sensor'],
    ],
  );
  assert.deepEqual(outcome.toRegister, []);
});
