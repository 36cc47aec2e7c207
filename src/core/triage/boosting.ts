/**
 * Multiclass gradient-boosted trees (softmax loss, second-order leaf values),
 * small and deterministic: features are cut at training-set quantiles, every
 * round grows one shallow tree per class on all rows, no sampling.
 */

export type TreeNode =
  | { leaf: true; value: number }
  | { leaf: false; feature: number; threshold: number; left: TreeNode; right: TreeNode };

export type BoostedModel = { classes: number; base: number[]; learningRate: number; trees: TreeNode[][] };

export type BoostingOptions = {
  rounds: number;
  depth: number;
  learningRate: number;
  /** L2 penalty on leaf values. */
  lambda: number;
  /** Least hessian mass a leaf may hold. */
  minimumHessian: number;
  /** Quantile cut points per feature. */
  bins: number;
};

/** Class scores (before softmax) of one row. */
export function boostedScores(model: BoostedModel, x: ArrayLike<number>): number[] {
  const scores = model.base.slice();
  for (const round of model.trees) {
    for (let k = 0; k < model.classes; k++) {
      let node = round[k] as TreeNode;
      while (!node.leaf) node = (x[node.feature] as number) <= node.threshold ? node.left : node.right;
      scores[k] = (scores[k] as number) + model.learningRate * node.value;
    }
  }
  return scores;
}

export function softmax(scores: readonly number[]): number[] {
  const top = Math.max(...scores);
  const exps = scores.map((score) => Math.exp(score - top));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((value) => value / total);
}

export function boostedProbabilities(model: BoostedModel, x: ArrayLike<number>): number[] {
  return softmax(boostedScores(model, x));
}

/**
 * Cut points of one feature (value ≤ cut goes left): midway between every two
 * neighbouring distinct values when there are at most `bins` of them, else
 * just above each quantile value.
 */
function cutPoints(values: Float64Array, bins: number): number[] {
  const sorted = Float64Array.from(values).sort();
  const distinct: number[] = [];
  for (const value of sorted) if (distinct.length === 0 || value !== distinct[distinct.length - 1]) distinct.push(value);
  const midpoint = (position: number): number =>
    ((distinct[position] as number) + (distinct[position + 1] as number)) / 2;
  if (distinct.length <= bins) return distinct.slice(0, -1).map((_, position) => midpoint(position));
  const cuts = new Set<number>();
  let position = 0;
  for (let b = 1; b < bins; b++) {
    const value = sorted[Math.floor((b * sorted.length) / bins)] as number;
    while ((distinct[position] as number) < value) position++;
    if (position < distinct.length - 1) cuts.add(midpoint(position));
  }
  return [...cuts].sort((a, b) => a - b);
}

type Data = { columns: Float64Array[]; cuts: number[][]; binned: Uint8Array[] };

function prepare(rows: readonly ArrayLike<number>[], bins: number): Data {
  const features = rows[0]?.length ?? 0;
  const columns: Float64Array[] = [];
  const cuts: number[][] = [];
  const binned: Uint8Array[] = [];
  for (let j = 0; j < features; j++) {
    const column = Float64Array.from(rows, (row) => row[j] as number);
    const c = cutPoints(column, bins);
    const b = new Uint8Array(column.length);
    for (let i = 0; i < column.length; i++) {
      let bin = 0;
      while (bin < c.length && (column[i] as number) > (c[bin] as number)) bin++;
      b[i] = bin;
    }
    columns.push(column);
    cuts.push(c);
    binned.push(b);
  }
  return { columns, cuts, binned };
}

function growTree(
  data: Data,
  indices: number[],
  g: Float64Array,
  h: Float64Array,
  depth: number,
  options: BoostingOptions,
): TreeNode {
  let sumG = 0;
  let sumH = 0;
  for (const i of indices) {
    sumG += g[i] as number;
    sumH += h[i] as number;
  }
  const leafValue = -sumG / (sumH + options.lambda);
  if (depth === 0) return { leaf: true, value: leafValue };
  const parentGain = (sumG * sumG) / (sumH + options.lambda);
  let best = { gain: 1e-9, feature: -1, bin: -1 };
  for (let j = 0; j < data.columns.length; j++) {
    const cuts = data.cuts[j] as number[];
    if (cuts.length === 0) continue;
    const binned = data.binned[j] as Uint8Array;
    const histG = new Float64Array(cuts.length + 1);
    const histH = new Float64Array(cuts.length + 1);
    for (const i of indices) {
      const bin = binned[i] as number;
      histG[bin] = (histG[bin] as number) + (g[i] as number);
      histH[bin] = (histH[bin] as number) + (h[i] as number);
    }
    let leftG = 0;
    let leftH = 0;
    for (let bin = 0; bin < cuts.length; bin++) {
      leftG += histG[bin] as number;
      leftH += histH[bin] as number;
      const rightG = sumG - leftG;
      const rightH = sumH - leftH;
      if (leftH < options.minimumHessian || rightH < options.minimumHessian) continue;
      const gain =
        (leftG * leftG) / (leftH + options.lambda) +
        (rightG * rightG) / (rightH + options.lambda) -
        parentGain;
      if (gain > best.gain) best = { gain, feature: j, bin };
    }
  }
  if (best.feature < 0) return { leaf: true, value: leafValue };
  const binned = data.binned[best.feature] as Uint8Array;
  const left = indices.filter((i) => (binned[i] as number) <= best.bin);
  const right = indices.filter((i) => (binned[i] as number) > best.bin);
  return {
    leaf: false,
    feature: best.feature,
    threshold: (data.cuts[best.feature] as number[])[best.bin] as number,
    left: growTree(data, left, g, h, depth - 1, options),
    right: growTree(data, right, g, h, depth - 1, options),
  };
}

/** `labels[i]` is a class index 0..classes-1. */
export function trainBoosted(
  rows: readonly ArrayLike<number>[],
  labels: readonly number[],
  classes: number,
  options: BoostingOptions,
): BoostedModel {
  const n = rows.length;
  const data = prepare(rows, options.bins);
  const prior = Array.from({ length: classes }, (_, k) => labels.filter((label) => label === k).length + 1);
  const base = prior.map((count) => Math.log(count / (n + classes)));
  const scores = Array.from({ length: n }, () => base.slice());
  const all = Array.from({ length: n }, (_, i) => i);
  const trees: TreeNode[][] = [];
  const g = new Float64Array(n);
  const h = new Float64Array(n);
  for (let round = 0; round < options.rounds; round++) {
    const p = scores.map((s) => softmax(s));
    const roundTrees: TreeNode[] = [];
    for (let k = 0; k < classes; k++) {
      for (let i = 0; i < n; i++) {
        const pk = (p[i] as number[])[k] as number;
        g[i] = pk - (labels[i] === k ? 1 : 0);
        h[i] = Math.max(pk * (1 - pk), 1e-6);
      }
      roundTrees.push(growTree(data, all, g, h, options.depth, options));
    }
    trees.push(roundTrees);
    for (let i = 0; i < n; i++) {
      const row = rows[i] as ArrayLike<number>;
      const s = scores[i] as number[];
      for (let k = 0; k < classes; k++) {
        let node = roundTrees[k] as TreeNode;
        while (!node.leaf) node = (row[node.feature] as number) <= node.threshold ? node.left : node.right;
        s[k] = (s[k] as number) + options.learningRate * node.value;
      }
    }
  }
  return { classes, base, learningRate: options.learningRate, trees };
}
