/**
 * The model the product ships: weights trained deterministically on all 887
 * rows of the KTAS training file (Moon et al. 2019, PLOS ONE,
 * doi:10.1371/journal.pone.0216972, CC BY 4.0) by
 * `urban-brain eval triage --data ../shared/data/ktas/train.csv --write-weights src/core/triage/ktas-weights.json`.
 * A test retrains and checks the committed file still matches.
 */
import weights from './ktas-weights.json' with { type: 'json' };
import type { TriageModel } from './engine.ts';
import type { WeightsFile } from './weights.ts';
import { weightsToModel } from './weights.ts';

let cached: TriageModel | undefined;

export function shippedModel(): TriageModel {
  if (cached !== undefined) return cached;
  const loaded = weightsToModel(weights as unknown as WeightsFile);
  if (!loaded.ok) throw new Error(`ktas-weights.json is corrupt: ${loaded.reason}`);
  cached = loaded.model;
  return cached;
}
