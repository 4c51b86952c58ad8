import { seededRandom, shuffled } from '../util/seeded-random';

/** Embeddings with integer labels into `classNames`. */
export interface LabelledVectors {
  vectors: Float32Array[];
  labels: number[];
  classNames: string[];
}

export function countPerClass(labels: readonly number[], classCount: number): number[] {
  const counts = new Array<number>(classCount).fill(0);
  for (const l of labels) counts[l] = (counts[l] ?? 0) + 1;
  return counts;
}

/** Checks what head training needs, naming what is wrong. */
export function assertTrainable(data: LabelledVectors): void {
  if (data.classNames.length < 2) throw new Error(`need at least two classes, got ${data.classNames.length}`);
  if (data.vectors.length !== data.labels.length) throw new Error(`${data.vectors.length} vectors but ${data.labels.length} labels`);
  const counts = countPerClass(data.labels, data.classNames.length);
  const empty = data.classNames.filter((_, i) => counts[i] === 0);
  if (empty.length > 0) throw new Error(`class(es) without training examples: ${empty.join(', ')}`);
  const dim = data.vectors[0]?.length ?? 0;
  const odd = data.vectors.findIndex((v) => v.length !== dim);
  if (odd >= 0) throw new Error(`embedding ${odd} has ${data.vectors[odd]!.length} values, expected ${dim}`);
}

/**
 * Splits off `fraction` of each class (at least one per class when it has two or more),
 * so validation keeps the class balance of the training data. Seeded.
 */
export function stratifiedSplit(data: LabelledVectors, fraction: number, seed: number): { train: LabelledVectors; validation: LabelledVectors } {
  const random = seededRandom(seed);
  const byClass = data.classNames.map(() => [] as number[]);
  data.labels.forEach((l, i) => byClass[l]!.push(i));
  const trainIdx: number[] = [];
  const valIdx: number[] = [];
  for (const indices of byClass) {
    const order = shuffled(indices, random);
    const take = order.length >= 2 ? Math.max(1, Math.round(order.length * fraction)) : 0;
    valIdx.push(...order.slice(0, take));
    trainIdx.push(...order.slice(take));
  }
  const pick = (idx: number[]): LabelledVectors => ({ vectors: idx.map((i) => data.vectors[i]!), labels: idx.map((i) => data.labels[i]!), classNames: data.classNames });
  return { train: pick(trainIdx), validation: pick(valIdx) };
}

/** Weights that make each class count equally in the loss: n / (k × count). */
export function balancedClassWeights(labels: readonly number[], classCount: number): Record<number, number> {
  const counts = countPerClass(labels, classCount);
  const weights: Record<number, number> = {};
  counts.forEach((c, i) => (weights[i] = c === 0 ? 0 : labels.length / (classCount * c)));
  return weights;
}
