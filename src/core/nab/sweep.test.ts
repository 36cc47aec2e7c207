import { test } from 'node:test';
import assert from 'node:assert/strict';
import { descendingOrder, poolCorpus } from './pooled.ts';
import { NAB_PROFILES } from './profiles.ts';
import { MAX_TRUE_POSITIVE_WEIGHT, scaledSigmoid } from './sigmoid.ts';
import { normaliseScore, scoreAtThreshold, sweepThreshold } from './sweep.ts';
import { labelFile } from './windows.ts';

const MINUTE = 60_000;
/** 100 one-minute rows; probation is 15 rows; one window over rows 40..59. */
const times = Array.from({ length: 100 }, (_, i) => i * MINUTE);
const labels = labelFile(times, [{ startMillis: 40 * MINUTE, endMillis: 59 * MINUTE }]);

function scores(entries: Record<number, number>): Float64Array {
  const out = new Float64Array(100);
  for (const [row, value] of Object.entries(entries)) out[Number(row)] = value;
  return out;
}

void test('a detection at the left edge of the only window scores the full true-positive weight', () => {
  const pooled = poolCorpus([{ labels, scores: scores({ 40: 0.9 }) }]);
  const best = sweepThreshold(pooled, descendingOrder(pooled.scores), NAB_PROFILES.standard);
  assert.equal(best.threshold, 0.9);
  assert.ok(Math.abs(best.rawScore - 1) < 1e-12);
  assert.ok(Math.abs(best.normalisedScore - 100) < 1e-9);
  assert.equal(best.detectedWindows, 1);
});

void test('only the earliest detection in a window counts, and a false positive costs fpWeight', () => {
  // Row 50 (mid-window) at 0.8, row 45 at 0.6, a false positive before the window at 0.7.
  const pooled = poolCorpus([{ labels, scores: scores({ 50: 0.8, 45: 0.6, 20: 0.7 }) }]);
  const atMid = scoreAtThreshold(pooled, NAB_PROFILES.standard, 0.8);
  const expectedMid = scaledSigmoid(-(59 - 50 + 1) / 20) / MAX_TRUE_POSITIVE_WEIGHT;
  assert.ok(Math.abs(atMid.rawScore - expectedMid) < 1e-12);
  const atAll = scoreAtThreshold(pooled, NAB_PROFILES.standard, 0.6);
  const expectedAll = scaledSigmoid(-(59 - 45 + 1) / 20) / MAX_TRUE_POSITIVE_WEIGHT - 0.11;
  assert.ok(Math.abs(atAll.rawScore - expectedAll) < 1e-12);
  assert.equal(atAll.falsePositiveRows, 1);
  assert.equal(atAll.truePositiveRows, 2);
});

void test('the incremental sweep agrees with scoring each threshold from scratch', () => {
  const values = scores({ 16: 0.3, 25: 0.95, 41: 0.5, 47: 0.7, 62: 0.7, 70: 0.2, 99: 0.65 });
  const pooled = poolCorpus([{ labels, scores: values }]);
  const best = sweepThreshold(pooled, descendingOrder(pooled.scores), NAB_PROFILES.reward_low_FP_rate);
  let bruteBest = scoreAtThreshold(pooled, NAB_PROFILES.reward_low_FP_rate, 1.1);
  for (const threshold of [...new Set(values)].sort((a, b) => b - a)) {
    const candidate = scoreAtThreshold(pooled, NAB_PROFILES.reward_low_FP_rate, threshold);
    if (candidate.rawScore > bruteBest.rawScore) bruteBest = candidate;
  }
  assert.equal(best.threshold, bruteBest.threshold);
  assert.ok(Math.abs(best.rawScore - bruteBest.rawScore) < 1e-12);
});

void test('rows in the probationary period are never scored', () => {
  const pooled = poolCorpus([{ labels, scores: scores({ 5: 1 }) }]);
  assert.equal(pooled.scores.length, 85);
  const best = sweepThreshold(pooled, descendingOrder(pooled.scores), NAB_PROFILES.standard);
  assert.equal(best.falsePositiveRows, 0);
  assert.equal(best.normalisedScore, 0);
});

void test('ties between thresholds go to the higher threshold', () => {
  // Nothing in the window, nothing outside: every threshold scores the null score.
  const pooled = poolCorpus([{ labels, scores: scores({}) }]);
  const best = sweepThreshold(pooled, descendingOrder(pooled.scores), NAB_PROFILES.standard);
  assert.equal(best.threshold, 1.1);
});

void test('normalisation maps the null detector to 0 and the perfect one to 100', () => {
  assert.equal(normaliseScore(-116, 116, NAB_PROFILES.standard), 0);
  assert.equal(normaliseScore(116, 116, NAB_PROFILES.standard), 100);
  assert.equal(normaliseScore(-232, 116, NAB_PROFILES.reward_low_FN_rate), 0);
});
