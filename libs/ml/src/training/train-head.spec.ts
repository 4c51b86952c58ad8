import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/select-backend';
import { seededRandom } from '../util/seeded-random';
import { balancedClassWeights, stratifiedSplit, type LabelledVectors } from './labelled-data';
import { trainHead } from './train-head';

/** Gaussian blobs: class c centred at +3 on dimension c. */
function blobs(perClass: number[], dim = 8, seed = 1): LabelledVectors {
  const random = seededRandom(seed);
  const vectors: Float32Array[] = [];
  const labels: number[] = [];
  perClass.forEach((count, c) => {
    for (let i = 0; i < count; i++) {
      const v = Float32Array.from({ length: dim }, (_, d) => (d === c ? 3 : 0) + (random() - 0.5) * 2);
      vectors.push(v);
      labels.push(c);
    }
  });
  return { vectors, labels, classNames: perClass.map((_, c) => `class-${c}`) };
}

describe('head training on embeddings', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('learns separable classes, reproducibly from a seed, without leaking tensors', async () => {
    const data = blobs([30, 30, 30]);
    const before = tf.memory().numTensors;
    const first = await trainHead(data, { epochs: 15, seed: 3, hiddenUnits: [16], learningRate: 0.01 });
    const second = await trainHead(data, { epochs: 15, seed: 3, hiddenUnits: [16], learningRate: 0.01 });
    expect(first.history.map((h) => h.loss)).toEqual(second.history.map((h) => h.loss));
    expect(first.history[first.bestEpoch]!.valAccuracy).toBeGreaterThan(0.9);
    first.model.dispose();
    second.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('stops early and restores the best epoch weights', async () => {
    const data = blobs([20, 20]);
    const epochs: number[] = [];
    const head = await trainHead(data, { epochs: 200, earlyStoppingPatience: 3, learningRate: 0.05, seed: 1 }, { onEpoch: (m) => void epochs.push(m.epoch) });
    expect(head.stoppedEarly).toBe(true);
    expect(head.history.length).toBeLessThan(200);
    expect(head.history.length - 1 - head.bestEpoch).toBe(3);
    expect(epochs).toEqual(head.history.map((h) => h.epoch));
    head.model.dispose();
  }, 60_000);

  it('weights classes so that a 10:1 imbalance still finds the rare class', async () => {
    const data = blobs([100, 10]);
    const { train, validation } = stratifiedSplit(data, 0.3, 2);
    expect(validation.labels.filter((l) => l === 1).length).toBe(3);
    expect(balancedClassWeights(train.labels, 2)[1]).toBeCloseTo(train.labels.length / (2 * 7));
    const head = await trainHead(train, { epochs: 30, seed: 2, classWeighting: 'balanced' }, { validation });
    const probs = head.model.predict(tf.tensor2d(validation.vectors.filter((_, i) => validation.labels[i] === 1).map((v) => Array.from(v)))) as tf.Tensor;
    const predicted = Array.from(await probs.argMax(1).data());
    expect(predicted.filter((p) => p === 1).length).toBeGreaterThanOrEqual(2);
    head.model.dispose();
  }, 60_000);

  it('refuses data it cannot learn from, naming the problem', async () => {
    await expect(trainHead({ ...blobs([5]), classNames: ['only'] })).rejects.toThrow(/at least two classes/);
    await expect(trainHead({ ...blobs([5, 0]) })).rejects.toThrow(/without training examples: class-1/);
  });
});
