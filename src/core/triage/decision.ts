/**
 * From the model's level probabilities to one level, and the choice of that
 * decision rule from out-of-fold probabilities by a criterion fixed in
 * advance (never from the rows it is evaluated on).
 */
import type { Level } from './presentation.ts';
import { levels } from './presentation.ts';
import { agreementMetrics } from './metrics.ts';

export type DecisionRule = {
  /** Cost of one level of under-triage, relative to one level of over-triage (1 = symmetric). */
  underTriageCost: number;
  /** Assign level 2 whenever levels 1 and 2 together reach this share (0–1; 1 = never forced). */
  urgentThreshold: number;
};

/** Pick the rule by inner cross-validation: the most exact rule that meets both bars. */
export type DecisionSearch = {
  maximumUnderTriageRate: number;
  minimumSensitivityLevels1to2: number;
};

/** Symmetric costs, no lift: the level nearest to the model's distribution (its median). */
export const plainDecision: DecisionRule = { underTriageCost: 1, urgentThreshold: 1 };

/** The grid searched; fixed before any result was looked at. */
export const decisionGrid: readonly DecisionRule[] = [1, 1.25, 1.5, 2, 3].flatMap((underTriageCost) =>
  [1, 0.4, 0.3, 0.25, 0.2, 0.15, 0.12, 0.1, 0.08, 0.06, 0.05].map((urgentThreshold) => ({
    underTriageCost,
    urgentThreshold,
  })),
);

/** Expected cost of answering level index `chosen` when the truth follows `p`. */
function expectedCost(p: readonly number[], chosen: number, underCost: number): number {
  let cost = 0;
  for (let truth = 0; truth < p.length; truth++) {
    const gap = chosen - truth;
    cost += (p[truth] ?? 0) * (gap > 0 ? underCost * gap : -gap);
  }
  return cost;
}

/**
 * The level with the least expected cost among levels 1..`leastUrgent`;
 * lifted to level 2 when levels 1 and 2 together reach the threshold. The
 * lift never gives level 1: resuscitation needs a life-saving finding, which
 * binds (`leastUrgent` = 1), or a model that finds level 1 the cheapest answer
 * on its own.
 */
export function decide(p: readonly number[], rule: DecisionRule, leastUrgent: Level = 5): Level {
  let best = 0;
  let bestScore = Infinity;
  for (let index = 0; index < leastUrgent; index++) {
    const score = expectedCost(p, index, rule.underTriageCost);
    if (score < bestScore) {
      bestScore = score;
      best = index;
    }
  }
  if (best >= 2 && (p[0] ?? 0) + (p[1] ?? 0) >= rule.urgentThreshold) best = 1;
  return levels[best] as Level;
}

/**
 * The grid rule that meets both bars with the highest exact agreement (then
 * kappa); when none meets them, the one that misses them by the least.
 */
export function chooseDecision(
  probabilities: readonly (readonly number[])[],
  bounds: readonly Level[],
  truth: readonly Level[],
  search: DecisionSearch,
): DecisionRule {
  let best: { rule: DecisionRule; key: number[] } | undefined;
  for (const rule of decisionGrid) {
    const assigned = probabilities.map((p, i) => decide(p, rule, bounds[i] ?? 5));
    const m = agreementMetrics(truth, assigned);
    const shortfall =
      Math.max(0, m.underTriageRate - search.maximumUnderTriageRate) +
      Math.max(0, search.minimumSensitivityLevels1to2 - m.sensitivityLevels1to2);
    const key = [-shortfall, m.exactAgreement, m.linearWeightedKappa];
    if (best === undefined || greater(key, best.key)) best = { rule, key };
  }
  return (best as { rule: DecisionRule }).rule;
}

function greater(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    if ((a[i] as number) > (b[i] as number) + 1e-12) return true;
    if ((a[i] as number) < (b[i] as number) - 1e-12) return false;
  }
  return false;
}
