/**
 * The trained model as a JSON document, and back. Numbers are rounded to 6
 * decimals: far below what changes a decision, and it keeps the file small.
 */
import type { TrainingOptions, TriageModel } from './engine.ts';
import type { DecisionRule } from './decision.ts';
import { levels } from './presentation.ts';

export type WeightsFile = {
  format: 'urban-brain-triage-weights/2';
  source: string;
  licence: string;
  trainedRows: number;
  trainingOptions: TrainingOptions;
  /** The L2 penalty and decision rule the training run chose (by inner cross-validation). */
  l2: number;
  decision: DecisionRule;
  vocabulary: string[];
  encoder: { smoothing: number; prior: number[]; counts: Record<string, number[]> };
  bias: number[];
  weights: number[][];
};

const round = (value: number): number => Math.round(value * 1e6) / 1e6;

export function modelToWeights(
  model: TriageModel,
  meta: Pick<WeightsFile, 'source' | 'licence' | 'trainedRows' | 'trainingOptions'>,
): WeightsFile {
  return {
    format: 'urban-brain-triage-weights/2',
    ...meta,
    l2: model.l2,
    decision: model.decision,
    vocabulary: model.vocabulary,
    encoder: {
      smoothing: model.encoder.smoothing,
      prior: model.encoder.prior.map(round),
      counts: model.encoder.counts,
    },
    bias: model.logistic.bias.map(round),
    weights: model.logistic.weights.map((row) => row.map(round)),
  };
}

export function weightsToModel(
  file: WeightsFile,
): { ok: true; model: TriageModel } | { ok: false; reason: string } {
  if (file.format !== 'urban-brain-triage-weights/2')
    return { ok: false, reason: `unknown weights format '${String(file.format)}'` };
  const features = file.weights[0]?.length ?? 0;
  if (file.weights.length !== levels.length || file.bias.length !== levels.length)
    return { ok: false, reason: 'weights must have one row per level 1–5' };
  if (file.weights.some((row) => row.length !== features || row.some((value) => !Number.isFinite(value)))) {
    return { ok: false, reason: 'weight rows must be finite and of equal length' };
  }
  const counts = Object.values(file.encoder.counts);
  if (file.encoder.prior.length !== levels.length || counts.some((row) => row.length !== levels.length))
    return { ok: false, reason: 'complaint encoder counts must have one entry per level 1–5' };
  const model: TriageModel = {
    vocabulary: file.vocabulary,
    encoder: file.encoder,
    logistic: { classes: levels.length, features, weights: file.weights, bias: file.bias },
    l2: file.l2,
    decision: file.decision,
  };
  return { ok: true, model };
}
