import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeText } from '../../src/core/triage/text.ts';
import { parseKtasText } from '../../src/core/triage/ktas-file.ts';
import { labelledExamples } from '../../src/core/triage/evaluation.ts';
import { trainTriageModel, triage, defaultTrainingOptions } from '../../src/core/triage/engine.ts';
import { modelToWeights } from '../../src/core/triage/weights.ts';
import { plainDecision } from '../../src/core/triage/decision.ts';
import { agreementMetrics } from '../../src/core/triage/metrics.ts';
import type { Level } from '../../src/core/triage/presentation.ts';

const committed = JSON.parse(
  readFileSync(new URL('../../src/core/triage/ktas-weights.json', import.meta.url), 'utf8'),
) as ReturnType<typeof modelToWeights>;
const parsed = parseKtasText(
  decodeText(readFileSync(new URL('../../../shared/data/ktas/train.csv', import.meta.url))),
);

void test('the committed weights are what training on the data file gives (deterministic, within rounding)', () => {
  assert.ok(parsed.ok);
  const { examples } = labelledExamples(parsed.rows);
  const fresh = modelToWeights(trainTriageModel(examples), {
    source: '',
    licence: '',
    trainedRows: examples.length,
    trainingOptions: defaultTrainingOptions,
  });
  assert.equal(committed.trainedRows, 887);
  assert.deepEqual(committed.trainingOptions, defaultTrainingOptions);
  assert.equal(committed.l2, fresh.l2, 'the penalty chosen by inner cross-validation');
  assert.deepEqual(committed.decision, fresh.decision, 'the decision rule chosen by inner cross-validation');
  assert.deepEqual(committed.vocabulary, fresh.vocabulary);
  assert.deepEqual(committed.encoder, fresh.encoder);
  committed.weights.forEach((row, k) =>
    row.forEach((value, j) =>
      assert.ok(Math.abs(value - (fresh.weights[k]?.[j] ?? NaN)) < 1e-4, `weight ${k},${j}`),
    ),
  );
  committed.bias.forEach((value, k) => assert.ok(Math.abs(value - (fresh.bias[k] ?? NaN)) < 1e-4));
});

void test('training twice on the same rows gives identical models', () => {
  assert.ok(parsed.ok);
  const { examples } = labelledExamples(parsed.rows.slice(0, 200));
  const options = { ...defaultTrainingOptions, steps: 50 };
  const first = trainTriageModel(examples, options);
  assert.deepEqual(first, trainTriageModel(examples, options));
  assert.ok(first.decision.urgentThreshold > 0 && first.decision.underTriageCost >= 1);
});

void test('the plain decision of a model fitted on all rows reproduces most expert levels it was trained on', () => {
  assert.ok(parsed.ok);
  const { examples } = labelledExamples(parsed.rows);
  const model = trainTriageModel(examples, { ...defaultTrainingOptions, decision: plainDecision });
  const assigned = examples.map((e) => triage(e.presentation, model).level);
  assert.ok(
    agreementMetrics(
      examples.map((e) => e.level),
      assigned,
    ).exactAgreement > 0.75,
  );
});

void test('metrics: perfect agreement, and a hand-computed case of kappa, under- and over-triage', () => {
  const perfect = agreementMetrics([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]);
  assert.equal(perfect.exactAgreement, 1);
  assert.equal(perfect.linearWeightedKappa, 1);
  assert.equal(perfect.macroF1, 1);
  const truth: Level[] = [1, 2, 3, 3];
  const assigned: Level[] = [2, 2, 3, 2];
  const m = agreementMetrics(truth, assigned);
  assert.equal(m.exactAgreement, 0.5);
  assert.equal(m.underTriageRate, 0.25);
  assert.equal(m.overTriageRate, 0.25);
  assert.equal(m.sensitivityLevels1to2, 1);
  // Weights |i-j|/4. Observed: two cells at distance 1 -> 0.5. Expected from margins
  // truth (1,1,2,0,0) x assigned (0,3,1,0,0) / n: (0.75+0.5) + 0.25 + 1.5 = 3 -> 0.75.
  assert.ok(Math.abs(m.linearWeightedKappa - (1 - 0.5 / 0.75)) < 1e-12);
  assert.deepEqual(m.confusion[2], [0, 1, 1, 0, 0]);
});
