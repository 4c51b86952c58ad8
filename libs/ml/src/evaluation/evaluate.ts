import * as tf from '@tensorflow/tfjs';

export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface Evaluation {
  accuracy: number;
  /** top-k accuracy, by k. */
  topK: Record<number, number>;
  macroF1: number;
  perClass: ClassMetrics[];
  /** confusion[actual][predicted] */
  confusion: number[][];
  count: number;
}

/** Metrics from class probabilities ([n, k], rows summing to 1) and true labels. */
export function evaluatePredictions(probabilities: Float32Array | number[], labels: readonly number[], classNames: readonly string[], ks: readonly number[] = [1, 3]): Evaluation {
  const k = classNames.length;
  const n = labels.length;
  if (probabilities.length !== n * k) throw new Error(`expected ${n * k} probabilities (${n} × ${k}), got ${probabilities.length}`);
  const confusion = classNames.map(() => new Array<number>(k).fill(0));
  const topHits: Record<number, number> = {};
  const usableKs = [...new Set(ks.filter((x) => x >= 1 && x <= k))];
  usableKs.forEach((x) => (topHits[x] = 0));
  for (let i = 0; i < n; i++) {
    const row = Array.from(probabilities.slice(i * k, (i + 1) * k));
    const ranked = row.map((p, c) => [p, c] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    const actual = labels[i]!;
    confusion[actual]![ranked[0]![1]]!++;
    for (const x of usableKs) if (ranked.slice(0, x).some(([, c]) => c === actual)) topHits[x]!++;
  }
  const perClass = classNames.map((label, c) => {
    const tp = confusion[c]![c]!;
    const predicted = confusion.reduce((s, row) => s + row[c]!, 0);
    const support = confusion[c]!.reduce((s, v) => s + v, 0);
    const precision = predicted === 0 ? 0 : tp / predicted;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label, precision, recall, f1, support };
  });
  const correct = confusion.reduce((s, row, c) => s + row[c]!, 0);
  const topK: Record<number, number> = {};
  for (const x of usableKs) topK[x] = n === 0 ? 0 : topHits[x]! / n;
  const withSupport = perClass.filter((p) => p.support > 0);
  return {
    accuracy: n === 0 ? 0 : correct / n,
    topK,
    macroF1: withSupport.length === 0 ? 0 : withSupport.reduce((s, p) => s + p.f1, 0) / withSupport.length,
    perClass,
    confusion,
    count: n,
  };
}

/** Runs `model` on `x` in batches and evaluates against `labels`. */
export async function evaluateModel(model: tf.LayersModel, x: tf.Tensor, labels: readonly number[], classNames: readonly string[], batchSize = 64): Promise<Evaluation> {
  const probs = tf.tidy(() => model.predict(x, { batchSize }) as tf.Tensor);
  const data = (await probs.data()) as Float32Array;
  probs.dispose();
  return evaluatePredictions(data, labels, classNames);
}
