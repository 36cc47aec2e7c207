/**
 * Multinomial logistic regression, trained by full-batch Adam on the CPU.
 * Deterministic: zero start, fixed step count, no randomness.
 */

export type LogisticModel = { classes: number; features: number; weights: number[][]; bias: number[] };

export type LogisticOptions = {
  steps: number;
  learningRate: number;
  l2: number;
  classWeights?: readonly number[];
};

export function probabilities(model: LogisticModel, x: Float64Array): number[] {
  const scores = model.bias.map((bias, k) => {
    const row = model.weights[k] ?? [];
    let sum = bias;
    for (let j = 0; j < x.length; j++) sum += (row[j] ?? 0) * (x[j] ?? 0);
    return sum;
  });
  const top = Math.max(...scores);
  const exps = scores.map((score) => Math.exp(score - top));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((value) => value / total);
}

/** `labels[i]` is a class index 0..classes-1. */
export function trainLogistic(
  rows: readonly Float64Array[],
  labels: readonly number[],
  classes: number,
  options: LogisticOptions,
): LogisticModel {
  const features = rows[0]?.length ?? 0;
  const size = classes * (features + 1);
  const theta = new Float64Array(size);
  const m = new Float64Array(size);
  const v = new Float64Array(size);
  const gradient = new Float64Array(size);
  const scores = new Float64Array(classes);
  const weightOf = (label: number): number => options.classWeights?.[label] ?? 1;
  // Most features are 0 (complaint words, flags): keep each row's non-zero entries only.
  const nonZero = rows.map((x) => {
    const indices: number[] = [];
    for (let j = 0; j < features; j++) if (x[j] !== 0) indices.push(j);
    return { indices: Int32Array.from(indices), values: Float64Array.from(indices, (j) => x[j] as number) };
  });
  const totalWeight = labels.reduce((sum, label) => sum + weightOf(label), 0);
  const [beta1, beta2, epsilon] = [0.9, 0.999, 1e-8];
  for (let step = 1; step <= options.steps; step++) {
    gradient.fill(0);
    for (let i = 0; i < rows.length; i++) {
      const { indices, values } = nonZero[i] as { indices: Int32Array; values: Float64Array };
      const label = labels[i] as number;
      let top = -Infinity;
      for (let k = 0; k < classes; k++) {
        const offset = k * (features + 1);
        let sum = theta[offset + features] as number;
        for (let n = 0; n < indices.length; n++)
          sum += (theta[offset + (indices[n] as number)] as number) * (values[n] as number);
        scores[k] = sum;
        if (sum > top) top = sum;
      }
      let total = 0;
      for (let k = 0; k < classes; k++) {
        scores[k] = Math.exp((scores[k] as number) - top);
        total += scores[k] as number;
      }
      const weight = weightOf(label) / totalWeight;
      for (let k = 0; k < classes; k++) {
        const error = ((scores[k] as number) / total - (k === label ? 1 : 0)) * weight;
        if (error === 0) continue;
        const offset = k * (features + 1);
        for (let n = 0; n < indices.length; n++) {
          const j = offset + (indices[n] as number);
          gradient[j] = (gradient[j] as number) + error * (values[n] as number);
        }
        gradient[offset + features] = (gradient[offset + features] as number) + error;
      }
    }
    for (let index = 0; index < size; index++) {
      const isBias = index % (features + 1) === features;
      const g = (gradient[index] as number) + (isBias ? 0 : options.l2 * (theta[index] as number));
      m[index] = beta1 * (m[index] as number) + (1 - beta1) * g;
      v[index] = beta2 * (v[index] as number) + (1 - beta2) * g * g;
      const mHat = (m[index] as number) / (1 - beta1 ** step);
      const vHat = (v[index] as number) / (1 - beta2 ** step);
      theta[index] = (theta[index] as number) - (options.learningRate * mHat) / (Math.sqrt(vHat) + epsilon);
    }
  }
  const weights: number[][] = [];
  const bias: number[] = [];
  for (let k = 0; k < classes; k++) {
    const offset = k * (features + 1);
    weights.push(Array.from(theta.subarray(offset, offset + features)));
    bias.push(theta[offset + features] as number);
  }
  return { classes, features, weights, bias };
}
