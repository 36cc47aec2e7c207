import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AGE_SWEEP_POINTS,
  LEVEL_COUNT,
  MAX_AGE_POINTS,
  ageLevels,
  returnPeriodScore,
} from './return-period.ts';
import { noiseSource } from './synthetic.test-helpers.ts';

const horizon = { minHorizonPoints: 500, horizonPoints: 20_000 };

/** The same calibration with absolute reading numbers in Float64 (no wrap, no ageing). */
function referenceScore(table: Float64Array, raw: number, index: number): number {
  const scratch = new Uint16Array(LEVEL_COUNT);
  // Find the level exactly as the real table does, by scoring into a scratch table.
  returnPeriodScore(scratch, 0, raw, 1, horizon);
  let level = -1;
  for (let k = 0; k < LEVEL_COUNT; k++) if (scratch[k] === 1) level = k;
  if (level < 0) return 0;
  const since = index - (table[level] as number);
  const span = Math.min(Math.max(index, horizon.minHorizonPoints), horizon.horizonPoints);
  for (let k = 0; k <= level; k++) table[k] = index;
  return Math.min(1, Math.log1p(since) / Math.log1p(span));
}

void test('Uint16 level tables aged every 16,384 readings score exactly as absolute reading numbers do', () => {
  const noise = noiseSource(4);
  const table = new Uint16Array(LEVEL_COUNT);
  const reference = new Float64Array(LEVEL_COUNT);
  let high = 0;
  for (let index = 1; index <= 300_000; index++) {
    if (index % AGE_SWEEP_POINTS === 0) ageLevels(table, index);
    // Mostly small surprises, now and then a large one; the largest only every 70,000 readings,
    // so that ages pass both the horizon and 2^16.
    const raw = index % 70_000 === 7 ? 40 : Math.exp(0.5 * noise());
    const score = returnPeriodScore(table, 0, raw, index, horizon);
    assert.equal(score, referenceScore(reference, raw, index), `reading ${index}, raw ${raw}`);
    if (score === 1 && raw >= 2) high++;
  }
  assert.ok(high > 5, `${high} scores of 1`);
});

void test('ageing caps ages at MAX_AGE_POINTS and leaves younger entries alone', () => {
  const index = 100_000;
  const table = new Uint16Array([index & 0xffff, (index - 39_999) & 0xffff, (index - 50_000) & 0xffff]);
  ageLevels(table, index);
  const ages = Array.from(table, (entry) => (index - entry) & 0xffff);
  assert.deepEqual(ages, [0, 39_999, MAX_AGE_POINTS]);
});

void test('surprises below the significance floor score 0 and leave the table alone', () => {
  const table = new Uint16Array(LEVEL_COUNT);
  assert.equal(returnPeriodScore(table, 0, 1.99, 1000, horizon), 0);
  assert.equal(returnPeriodScore(table, 0, Number.NaN, 1000, horizon), 0);
  assert.ok(table.every((entry) => entry === 0));
});
