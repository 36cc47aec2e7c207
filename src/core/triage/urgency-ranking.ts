/**
 * How well a score ranks the urgent patients (reference level 1–2) above the others, and what
 * catching as many of them as someone else does would cost in patients called urgent who are not.
 * This is what bounds exact agreement under a sensitivity bar: every urgent patient the score
 * ranks low can only be caught by calling everyone above it urgent.
 */
import type { Level } from './presentation.ts';

export type UrgencyRanking = {
  /** Area under the ROC curve of the score for reference level 1–2 against 3–5 (ties count half). */
  areaUnderCurve: number;
  /** Share of the urgent patients the other assignment calls urgent (level 1–2). */
  otherSensitivity: number;
  /** Patients of reference level 3–5 the other assignment calls urgent. */
  otherFalseUrgent: number;
  /**
   * Patients of reference level 3–5 whose score is at least that of the urgent patient ranked at
   * the other's sensitivity: the fewest the score must call urgent to catch as many.
   */
  falseUrgentAtOtherSensitivity: number;
};

/** Whether a level is urgent: 1 (resuscitation) or 2 (emergency). */
export const isUrgent = (level: Level): boolean => level <= 2;

/** `scores[i]` ranks patient i (higher: more urgent); `other[i]` is another assignment's level. */
export function urgencyRanking(
  reference: readonly Level[],
  scores: readonly number[],
  other: readonly Level[],
): UrgencyRanking {
  if (scores.length !== reference.length || other.length !== reference.length)
    throw new Error('reference, scores and other levels differ in length');
  const positive = scores.filter((_, i) => isUrgent(reference[i] as Level)).sort((a, b) => b - a);
  const negative = scores.filter((_, i) => !isUrgent(reference[i] as Level)).sort((a, b) => a - b);
  if (positive.length === 0 || negative.length === 0)
    throw new Error('both urgent and other patients are needed to rank');
  // For each urgent score, the other patients below it (and half those level with it).
  let wins = 0;
  for (const score of positive) {
    const below = countBelow(negative, score);
    wins += below + (countAtMost(negative, score) - below) / 2;
  }
  const caught = reference.filter((level, i) => isUrgent(level) && isUrgent(other[i] as Level)).length;
  const otherFalseUrgent = reference.filter(
    (level, i) => !isUrgent(level) && isUrgent(other[i] as Level),
  ).length;
  const otherSensitivity = caught / positive.length;
  const threshold = caught === 0 ? Infinity : (positive[caught - 1] as number);
  return {
    areaUnderCurve: wins / (positive.length * negative.length),
    otherSensitivity,
    otherFalseUrgent,
    falseUrgentAtOtherSensitivity: negative.length - countBelow(negative, threshold),
  };
}

/** Values of ascending `sorted` below `value`. */
function countBelow(sorted: readonly number[], value: number): number {
  return firstIndex(sorted, (x) => x >= value);
}

/** Values of ascending `sorted` at most `value`. */
function countAtMost(sorted: readonly number[], value: number): number {
  return firstIndex(sorted, (x) => x > value);
}

/** The first index of ascending `sorted` where `from` holds (it holds from there on), or its length. */
function firstIndex(sorted: readonly number[], from: (x: number) => boolean): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (from(sorted[middle] as number)) high = middle;
    else low = middle + 1;
  }
  return low;
}
