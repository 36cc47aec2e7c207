import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideAlert } from './alert.ts';

const minute = 60_000;

test('a score at or over the threshold raises an alert, one below it does not', () => {
  const fresh = { lastAlertAt: null };
  assert.deepEqual(decideAlert(0.9, 0.5, 0, fresh, 10 * minute), { raise: true });
  assert.deepEqual(decideAlert(0.5, 0.5, 0, fresh, 10 * minute), { raise: true });
  assert.deepEqual(decideAlert(0.49, 0.5, 0, fresh, 10 * minute), {
    raise: false,
    reason: 'below-threshold',
  });
  assert.deepEqual(decideAlert(Number.NaN, 0.5, 0, fresh, 10 * minute), {
    raise: false,
    reason: 'below-threshold',
  });
});

test('suppresses a re-alert of the same sensor inside the window and allows it after', () => {
  const state = { lastAlertAt: 100 * minute };
  assert.deepEqual(decideAlert(0.99, 0.5, 109 * minute, state, 10 * minute), {
    raise: false,
    reason: 'suppressed',
  });
  assert.deepEqual(decideAlert(0.99, 0.5, 110 * minute, state, 10 * minute), { raise: true });
});

test('a reading older than the last alert (out of order) is not suppressed by it', () => {
  const state = { lastAlertAt: 100 * minute };
  assert.deepEqual(decideAlert(0.99, 0.5, 95 * minute, state, 10 * minute), { raise: true });
});
