import assert from 'node:assert/strict';
import { test } from 'node:test';
import { roundedStep } from '../web/src/step.ts';

void test('the dashboard chart asks for steps a rollup serves; bug: range / width read raw readings', () => {
  assert.equal(roundedStep(86_400_000 / 1200), 120_000, 'a day on 1,200 pixels: 2 minutes');
  assert.equal(roundedStep((7 * 86_400_000) / 1200), 540_000, 'a week: 9 minutes');
  assert.equal(roundedStep((90 * 86_400_000) / 1200), 7_200_000, '90 days: 2 hours');
  assert.equal(roundedStep(3_000), 3_000);
  assert.equal(roundedStep(200), 1_000, 'never under a second');
});
