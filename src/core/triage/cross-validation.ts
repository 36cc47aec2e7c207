/**
 * K-fold cross-validation that retrains the engine inside every fold: the
 * held-out patients never touch the vocabulary or the weights.
 */
import type { Level } from './presentation.ts';
import type { Example, TrainingOptions } from './engine.ts';
import type { DecisionRule } from './decision.ts';
import { defaultTrainingOptions, trainTriageModel, triage } from './engine.ts';

/** Deterministic stratified fold of each example: by level, in input order, round robin. */
export function assignFolds(levelsOfExamples: readonly Level[], folds: number): number[] {
  const seen = [0, 0, 0, 0, 0];
  return levelsOfExamples.map((level) => {
    const count = seen[level - 1] ?? 0;
    seen[level - 1] = count + 1;
    return (count + level) % folds;
  });
}

/**
 * Another deterministic stratified assignment: examples in a seeded random
 * order (Park–Miller), then each level dealt round robin. For repeating the
 * cross-validation over different splits.
 */
export function assignShuffledFolds(
  levelsOfExamples: readonly Level[],
  folds: number,
  seed: number,
): number[] {
  let state = 12345 + seed;
  const order = levelsOfExamples
    .map((_, index) => {
      state = (state * 16807) % 2147483647;
      return { key: state, index };
    })
    .sort((a, b) => a.key - b.key);
  const seen = [0, 0, 0, 0, 0];
  const fold = new Array<number>(levelsOfExamples.length);
  for (const { index } of order) {
    const level = levelsOfExamples[index] as Level;
    const count = seen[level - 1] ?? 0;
    seen[level - 1] = count + 1;
    fold[index] = count % folds;
  }
  return fold;
}

/** Out-of-fold predicted level for every example, in input order. `fold` defaults to `assignFolds`. */
export function crossValidate(
  examples: readonly Example[],
  folds: number,
  options: TrainingOptions = defaultTrainingOptions,
  fold?: readonly number[],
): Level[] {
  return crossValidateDetailed(examples, folds, options, fold).predicted;
}

/**
 * As `crossValidate`, with the decision rule each fold's training chose and every example's
 * out-of-fold level probabilities (before the rules).
 */
export function crossValidateDetailed(
  examples: readonly Example[],
  folds: number,
  options: TrainingOptions = defaultTrainingOptions,
  fold: readonly number[] = assignFolds(
    examples.map((example) => example.level),
    folds,
  ),
): { predicted: Level[]; decisions: DecisionRule[]; probabilities: number[][] } {
  if (!Number.isInteger(folds) || folds < 2 || folds > examples.length)
    throw new Error(`folds must be an integer from 2 to ${examples.length}`);
  if (fold.length !== examples.length) throw new Error('one fold per example is needed');
  const predicted = new Array<Level>(examples.length);
  const probabilities = new Array<number[]>(examples.length);
  const decisions: DecisionRule[] = [];
  for (let k = 0; k < folds; k++) {
    const model = trainTriageModel(
      examples.filter((_, index) => fold[index] !== k),
      options,
    );
    decisions.push(model.decision);
    examples.forEach((example, index) => {
      if (fold[index] !== k) return;
      const result = triage(example.presentation, model);
      predicted[index] = result.level;
      probabilities[index] = result.probabilities;
    });
  }
  return { predicted, decisions, probabilities };
}
