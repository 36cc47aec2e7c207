/**
 * Cross-validated evaluation of the engine against the experts' levels, with
 * the nurses' levels on the very same rows beside it.
 */
import type { Level } from './presentation.ts';
import type { RowResult } from './ktas-file.ts';
import type { Example, TrainingOptions } from './engine.ts';
import { defaultTrainingOptions } from './engine.ts';
import { crossValidateDetailed } from './cross-validation.ts';
import type { DecisionRule } from './decision.ts';
import type { AgreementMetrics } from './metrics.ts';
import { agreementMetrics } from './metrics.ts';
import type { UrgencyRanking } from './urgency-ranking.ts';
import { isUrgent, urgencyRanking } from './urgency-ranking.ts';

export type LabelledExample = Example & { row: number; nurseLevel: Level };

/** Rows usable for evaluation: parsed, with both the expert's and the nurse's level. */
export function labelledExamples(rows: readonly RowResult[]): {
  examples: LabelledExample[];
  skipped: number;
} {
  const examples: LabelledExample[] = [];
  for (const row of rows) {
    if (!row.ok || row.labels.expertLevel === null || row.labels.nurseLevel === null) continue;
    examples.push({
      row: row.row,
      presentation: row.presentation,
      level: row.labels.expertLevel,
      nurseLevel: row.labels.nurseLevel,
    });
  }
  return { examples, skipped: rows.length - examples.length };
}

export type TriageEvaluation = {
  folds: number;
  rows: number;
  engine: AgreementMetrics;
  nurses: AgreementMetrics;
  /** The decision rule each fold's training chose. */
  decisions: DecisionRule[];
  /**
   * How well the engine's out-of-fold probability of level 1–2 ranks the urgent rows, beside the
   * nurses' levels; null when the rows are not of both kinds (urgent and not).
   */
  urgency: UrgencyRanking | null;
};

export function evaluateTriage(
  examples: readonly LabelledExample[],
  folds: number,
  options: TrainingOptions = defaultTrainingOptions,
): TriageEvaluation {
  const { predicted, decisions, probabilities } = crossValidateDetailed(examples, folds, options);
  const truth = examples.map((example) => example.level);
  const nurses = examples.map((example) => example.nurseLevel);
  return {
    folds,
    rows: examples.length,
    engine: agreementMetrics(truth, predicted),
    nurses: agreementMetrics(truth, nurses),
    decisions,
    urgency:
      truth.some(isUrgent) && !truth.every(isUrgent)
        ? urgencyRanking(
            truth,
            probabilities.map((p) => (p[0] ?? 0) + (p[1] ?? 0)),
            nurses,
          )
        : null,
  };
}
