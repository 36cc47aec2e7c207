import assert from 'node:assert/strict';
import { test } from 'node:test';
import { urgencyRanking } from '../../src/core/triage/urgency-ranking.ts';
import type { Level } from '../../src/core/triage/presentation.ts';

test('a score that ranks every urgent patient first has an area of 1 and needs no false urgent', () => {
  const reference: Level[] = [1, 2, 3, 4, 5];
  const ranking = urgencyRanking(reference, [0.9, 0.8, 0.3, 0.2, 0.1], [1, 2, 3, 4, 5]);
  assert.deepEqual(ranking, {
    areaUnderCurve: 1,
    otherSensitivity: 1,
    otherFalseUrgent: 0,
    falseUrgentAtOtherSensitivity: 0,
  });
});

test('the area counts pairs, ties half; false urgent are counted at the other assignment’s sensitivity', () => {
  // Urgent scores 0.9, 0.5, 0.2; others 0.6, 0.5, 0.1, 0.05.
  const reference: Level[] = [2, 2, 1, 3, 3, 4, 5];
  const scores = [0.9, 0.5, 0.2, 0.6, 0.5, 0.1, 0.05];
  // The other assignment catches two of the three urgent and calls one other patient urgent.
  const other: Level[] = [2, 2, 3, 2, 3, 4, 5];
  const ranking = urgencyRanking(reference, scores, other);
  // Pairs won: 0.9 beats 4; 0.5 beats 2 and ties 1; 0.2 beats 2 → 8.5 of 12.
  assert.equal(ranking.areaUnderCurve, 8.5 / 12);
  assert.equal(ranking.otherSensitivity, 2 / 3);
  assert.equal(ranking.otherFalseUrgent, 1);
  // Catching two urgent patients means calling everyone scoring at least 0.5 urgent: 0.6 and 0.5.
  assert.equal(ranking.falseUrgentAtOtherSensitivity, 2);
});

test('ranking needs both kinds of patient and one score per patient', () => {
  assert.throws(() => urgencyRanking([1, 2], [0.5, 0.4], [1, 2]), /both urgent and other/);
  assert.throws(() => urgencyRanking([1, 3], [0.5], [1, 3]), /differ in length/);
});
