import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maxSeverity, severityOf } from './severity.ts';

test('severity grows with the score, the asset criticality and the sensors alerting', () => {
  assert.equal(severityOf(0.51, 0.5, 'valve', 1), 'low');
  assert.equal(severityOf(1, 0.5, 'valve', 1), 'medium');
  assert.equal(severityOf(0.51, 0.5, 'hospital', 1), 'medium');
  assert.equal(severityOf(0.51, 0.5, 'hospital', 4), 'high');
  assert.equal(severityOf(1, 0.5, 'hospital', 4), 'critical');
  assert.equal(severityOf(0.51, 0.5, 'unknown-type', 1), 'low');
});

test('maxSeverity keeps the higher band', () => {
  assert.equal(maxSeverity('low', 'high'), 'high');
  assert.equal(maxSeverity('critical', 'medium'), 'critical');
});
