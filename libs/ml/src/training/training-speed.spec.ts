import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/select-backend';
import { loadSimdKernels } from '../backend/simd/simd-kernels';
import { fitWithEarlyStopping, TrainingCancelledError } from './fit-loop';
import { optimizerStep, SimdAdam } from './optimizer-step';
import { autoBatchSize, buildHead } from './train-head';

describe('training loop internals', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('updates weights with the SIMD Adam as tf.train.adam does, without leaking tensors', async () => {
    const x = tf.tensor2d(Array.from({ length: 12 * 6 }, (_, i) => Math.sin(i)), [12, 6]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2], 'int32'), 3).toFloat();
    const weightsAfter = async (simd: boolean) => {
      const model = buildHead(6, 3, { hiddenUnits: [5], dropout: 0, seed: 4 });
      const adam = tf.train.adam(0.05);
      const stepper = simd ? optimizerStep(adam) : { step: (f: () => tf.Scalar, v: tf.Variable[]) => adam.minimize(f, true, v)!, dispose: () => undefined };
      if (simd) expect(stepper).toBeInstanceOf(SimdAdam);
      const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
      for (let i = 0; i < 4; i++) tf.dispose(stepper.step(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar, variables));
      const weights = await Promise.all(model.getWeights().map((w) => w.data()));
      stepper.dispose();
      adam.dispose();
      model.dispose();
      return weights.map((w) => Array.from(w));
    };
    const before = tf.memory().numTensors;
    const simd = await weightsAfter(true);
    expect(tf.memory().numTensors).toBe(before);
    const reference = await weightsAfter(false);
    // The same float32 arithmetic in another order: equal to 4 decimals after four steps. The
    // layer sizes (30, 5, 15 and 3 weights) cover both the 4-wide loop and the one-at-a-time tail.
    simd.flat().forEach((v, i) => expect(v).toBeCloseTo(reference.flat()[i]!, 4));
    // And it moved them: four steps at 0.05 are not a no-op.
    const untrained = buildHead(6, 3, { hiddenUnits: [5], dropout: 0, seed: 4 });
    const initial = (await untrained.getWeights()[0]!.data())[0]!;
    untrained.dispose();
    expect(Math.abs(simd[0]![0]! - initial)).toBeGreaterThan(0.01);
    tf.dispose([x, y]);
  });

  it('lets Adam moments of a weight whose gradient stays 0 reach 0, not the slow subnormal range', async () => {
    const simd = loadSimdKernels().kernels!;
    const [w, m, v] = [tf.ones([7]), tf.zeros([7]), tf.zeros([7])];
    const params = (t: number) => ({ beta1: 0.9, beta2: 0.999, learningRate: 1e-3, mScale: 1 / (1 - 0.9 ** t), vScale: 1 / (1 - 0.999 ** t), epsilon: 1e-7 });
    const step = (g: tf.Tensor, t: number) => tf.dispose(tf.engine().makeTensorFromTensorInfo(simd.adam(w, g, m, v, params(t))));
    const [once, zero] = [tf.fill([7], 1e-3), tf.zeros([7])];
    step(once, 1);
    // 0.9^900 × 1e-4 is ~1e-45 and 0.999^90000 × 1e-7 is ~1e-46: subnormal in float32 unless flushed.
    for (let t = 2; t < 90_000; t++) step(zero, t);
    const moments = [...(await m.data()), ...(await v.data())];
    expect(moments.every((x) => x === 0 || Math.abs(x) >= 1e-30)).toBe(true);
    expect(moments.filter((x) => x === 0).length).toBe(14);
    tf.dispose([w, m, v, once, zero]);
  });

  it('picks about 32 steps an epoch, from 32 to 512 examples a batch', () => {
    expect([10, 800, 1024, 1025, 8000, 16384, 1_000_000].map(autoBatchSize)).toEqual([32, 32, 32, 64, 256, 512, 512]);
  });

  it('stops inside an epoch when cancelled, leaving no tensors behind', async () => {
    const x = tf.randomNormal([4096, 16], 0, 1, 'float32', 3);
    const y = tf.oneHot(tf.tensor1d(Array.from({ length: 4096 }, (_, i) => i % 2), 'int32'), 2).toFloat();
    const model = buildHead(16, 2, { hiddenUnits: [8], dropout: 0.1, seed: 1 });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const controller = new AbortController();
    const before = tf.memory().numTensors;
    // Aborted from a timer while the first epoch runs: the loop yields, sees it and stops.
    setTimeout(() => controller.abort(), 5);
    const run = fitWithEarlyStopping(model, x, y, undefined, { epochs: 500, batchSize: 1, patience: 0, seed: 1, signal: controller.signal });
    await expect(run).rejects.toBeInstanceOf(TrainingCancelledError);
    expect(tf.memory().numTensors).toBe(before);
    model.optimizer.dispose();
    model.dispose();
    tf.dispose([x, y]);
  });
});
