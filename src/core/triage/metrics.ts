/**
 * Agreement of assigned triage levels with reference levels.
 * Under-triage: assigned less urgent (higher number) than the reference.
 */
import type { Level } from './presentation.ts';

export type AgreementMetrics = {
  count: number;
  exactAgreement: number;
  linearWeightedKappa: number;
  underTriageRate: number;
  overTriageRate: number;
  macroF1: number;
  /** Share of reference level 1–2 patients assigned level 1 or 2. */
  sensitivityLevels1to2: number;
  /** confusion[reference-1][assigned-1] */
  confusion: number[][];
};

export function confusionMatrix(reference: readonly Level[], assigned: readonly Level[]): number[][] {
  const matrix = Array.from({ length: 5 }, () => [0, 0, 0, 0, 0]);
  reference.forEach((truth, index) => {
    const row = matrix[truth - 1] as number[];
    const column = (assigned[index] as Level) - 1;
    row[column] = (row[column] ?? 0) + 1;
  });
  return matrix;
}

export function agreementMetrics(reference: readonly Level[], assigned: readonly Level[]): AgreementMetrics {
  if (reference.length !== assigned.length) throw new Error('reference and assigned levels differ in length');
  const n = reference.length;
  const confusion = confusionMatrix(reference, assigned);
  const cell = (i: number, j: number): number => confusion[i]?.[j] ?? 0;
  let exact = 0;
  let under = 0;
  let over = 0;
  for (let i = 0; i < 5; i++) {
    for (let j = 0; j < 5; j++) {
      if (i === j) exact += cell(i, j);
      else if (j > i) under += cell(i, j);
      else over += cell(i, j);
    }
  }
  const rowTotals = [0, 1, 2, 3, 4].map((i) => [0, 1, 2, 3, 4].reduce((s, j) => s + cell(i, j), 0));
  const columnTotals = [0, 1, 2, 3, 4].map((j) => [0, 1, 2, 3, 4].reduce((s, i) => s + cell(i, j), 0));
  let observed = 0;
  let expected = 0;
  for (let i = 0; i < 5; i++) {
    for (let j = 0; j < 5; j++) {
      const disagreement = Math.abs(i - j) / 4;
      observed += disagreement * cell(i, j);
      expected += (disagreement * (rowTotals[i] ?? 0) * (columnTotals[j] ?? 0)) / n;
    }
  }
  const f1s = [0, 1, 2, 3, 4]
    .filter((k) => (rowTotals[k] ?? 0) > 0)
    .map((k) => {
      const precision = (columnTotals[k] ?? 0) === 0 ? 0 : cell(k, k) / (columnTotals[k] ?? 1);
      const recall = cell(k, k) / (rowTotals[k] ?? 1);
      return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    });
  const urgent = (rowTotals[0] ?? 0) + (rowTotals[1] ?? 0);
  const urgentCaught = cell(0, 0) + cell(0, 1) + cell(1, 0) + cell(1, 1);
  return {
    count: n,
    exactAgreement: exact / n,
    linearWeightedKappa: expected === 0 ? 1 : 1 - observed / expected,
    underTriageRate: under / n,
    overTriageRate: over / n,
    macroF1: f1s.reduce((a, b) => a + b, 0) / f1s.length,
    sensitivityLevels1to2: urgent === 0 ? 1 : urgentCaught / urgent,
    confusion,
  };
}
