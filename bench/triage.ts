/**
 * Triage benchmark: 10-fold cross-validated agreement with the experts on the
 * KTAS training file (engine retrained per fold, decision rule chosen inside
 * each fold by inner cross-validation) beside the nurses' figures on the same
 * rows, for the shipped training and for the plain decision rule; the shipped
 * training again over three other seeded splits; how well the shipped engine's out-of-fold
 * probability of level 1–2 ranks the urgent patients, and how many others it must call urgent to
 * catch as many as the nurses do (what bounds exact agreement under the sensitivity bar); and the
 * time to triage one patient with the shipped weights.
 * Prints one JSON line and writes bench/results/triage.json.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeText } from '../src/core/triage/text.ts';
import { parseKtasText } from '../src/core/triage/ktas-file.ts';
import { evaluateTriage, labelledExamples } from '../src/core/triage/evaluation.ts';
import { assignShuffledFolds, crossValidate } from '../src/core/triage/cross-validation.ts';
import { agreementMetrics } from '../src/core/triage/metrics.ts';
import { defaultTrainingOptions, triage } from '../src/core/triage/engine.ts';
import { plainDecision } from '../src/core/triage/decision.ts';
import { shippedModel } from '../src/core/triage/shipped-model.ts';
import type { AgreementMetrics } from '../src/core/triage/metrics.ts';
import { parseArgs } from 'node:util';
import { benchArguments } from './arguments.ts';

// No options: `--help` prints what this measures; anything else is refused.
benchArguments(import.meta.url, () => parseArgs({ options: {} }));

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataFile = path.resolve(repoRoot, '../shared/data/ktas/train.csv');

const parsed = parseKtasText(decodeText(await readFile(dataFile)));
if (!parsed.ok) throw new Error(`${dataFile}: ${parsed.reason}`);
const { examples, skipped } = labelledExamples(parsed.rows);
const folds = 10;

process.stderr.write(`triage bench: ${examples.length} rows, ${folds}-fold CV, shipped training (nested)…\n`);
const started = performance.now();
const shipped = evaluateTriage(examples, folds, defaultTrainingOptions);
const shippedSeconds = (performance.now() - started) / 1000;
process.stderr.write('triage bench: plain decision rule…\n');
const accuracy = evaluateTriage(examples, folds, { ...defaultTrainingOptions, decision: plainDecision });

// The same nested cross-validation over three other (seeded, stratified) splits: how much the
// figures move with the split alone.
const truth = examples.map((example) => example.level);
const otherSplits = [1, 2, 3].map((seed) => {
  process.stderr.write(`triage bench: shipped training, other split ${seed}/3…\n`);
  const fold = assignShuffledFolds(truth, folds, seed);
  return { seed, ...agreementMetrics(truth, crossValidate(examples, folds, defaultTrainingOptions, fold)) };
});

const ranking = shipped.urgency;
if (ranking === null) throw new Error('the file has no urgent rows, or only urgent ones');

const model = shippedModel();
const patients = examples.map((example) => example.presentation);
for (let i = 0; i < 2000; i++) triage(patients[i % patients.length]!, model);
const calls = 20000;
const perCallMillis: number[] = [];
const batchStart = performance.now();
for (let i = 0; i < calls; i++) {
  const start = performance.now();
  triage(patients[i % patients.length]!, model);
  perCallMillis.push(performance.now() - start);
}
const totalMillis = performance.now() - batchStart;
perCallMillis.sort((a, b) => a - b);

const round = (value: number): number => Math.round(value * 10000) / 10000;
const figures = (m: AgreementMetrics): Record<string, number | number[][]> => ({
  exactAgreement: round(m.exactAgreement),
  linearWeightedKappa: round(m.linearWeightedKappa),
  underTriageRate: round(m.underTriageRate),
  overTriageRate: round(m.overTriageRate),
  macroF1: round(m.macroF1),
  sensitivityLevels1to2: round(m.sensitivityLevels1to2),
  confusion: m.confusion,
});
const beats = (m: AgreementMetrics, n: AgreementMetrics): Record<string, boolean> => ({
  exactAgreement: m.exactAgreement > n.exactAgreement,
  linearWeightedKappa: m.linearWeightedKappa > n.linearWeightedKappa,
  underTriageRate: m.underTriageRate < n.underTriageRate,
  sensitivityLevels1to2: m.sensitivityLevels1to2 > n.sensitivityLevels1to2,
});

const result = {
  bench: 'triage',
  data: '../shared/data/ktas/train.csv (Moon et al. 2019, CC BY 4.0)',
  rows: examples.length,
  skippedRows: skipped,
  folds,
  nurses: figures(shipped.nurses),
  engine: {
    decision:
      'shipped: chosen per outer fold by 5-fold inner CV (most exact rule with under-triage <= 0.10 and level 1-2 sensitivity >= 0.90)',
    decisionsChosen: shipped.decisions,
    ...figures(shipped.engine),
  },
  enginePlainDecision: {
    decision: 'plain: least expected level distance, no urgent lift',
    ...figures(accuracy.engine),
  },
  engineBeatsNurses: beats(shipped.engine, shipped.nurses),
  enginePlainDecisionBeatsNurses: beats(accuracy.engine, accuracy.nurses),
  engineOtherSplits: otherSplits.map((m) => {
    const { confusion: _confusion, ...rest } = figures(m);
    return { seed: m.seed, ...rest, beatsNurses: beats(m, shipped.nurses) };
  }),
  urgencyRanking: {
    score: 'shipped engine, out-of-fold probability of level 1 or 2; other: the nurses',
    areaUnderCurve: round(ranking.areaUnderCurve),
    nurseSensitivityLevels1to2: round(ranking.otherSensitivity),
    nurseFalseUrgent: ranking.otherFalseUrgent,
    engineFalseUrgentAtNurseSensitivity: ranking.falseUrgentAtOtherSensitivity,
  },
  crossValidationSeconds: round(shippedSeconds),
  latency: {
    calls,
    meanMillis: round(totalMillis / calls),
    p50Millis: round(perCallMillis[Math.floor(calls * 0.5)]!),
    p99Millis: round(perCallMillis[Math.floor(calls * 0.99)]!),
    maxMillis: round(perCallMillis[calls - 1]!),
    targetMillis: 1,
  },
};
const line = JSON.stringify(result);
await mkdir(path.resolve(repoRoot, 'bench/results'), { recursive: true });
await writeFile(path.resolve(repoRoot, 'bench/results/triage.json'), `${line}\n`);
process.stdout.write(`${line}\n`);
