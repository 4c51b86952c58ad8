import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/select-backend';
import { trainingDropout } from './dropout';
import { trainingLayer } from './training-layers';
import { forward, weightedCrossEntropy } from './train-epoch';

/** Runs `f` on each backend and returns its results by backend name. */
async function onBackends<T>(f: () => Promise<T>): Promise<Record<'wasm' | 'cpu', T>> {
  const results: Partial<Record<'wasm' | 'cpu', T>> = {};
  for (const name of ['wasm', 'cpu'] as const) {
    await tf.setBackend(name);
    results[name] = await f();
  }
  await tf.setBackend('wasm');
  return results as Record<'wasm' | 'cpu', T>;
}

describe('training-mode layers', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('draws a new dropout mask on every step, replays it from the seed, and draws the same masks on every backend', async () => {
    const masks = await onBackends(async () => {
      const layer = tf.layers.dropout({ rate: 0.3, seed: 11 });
      const x = tf.ones([3, 7]); // 21 values: the SIMD loop and its one-at-a-time tail
      const before = tf.memory().numTensors;
      const calls = [trainingDropout(layer, x), trainingDropout(layer, x)];
      const data = await Promise.all(calls.map(async (t) => Array.from(await t.data())));
      tf.dispose(calls);
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
      return data;
    });
    const [first, second] = masks.wasm;
    expect(first).not.toEqual(second); // TF.js' own seeded dropout repeats its mask here
    expect(masks.cpu).toEqual(masks.wasm);
    for (const v of [...first!, ...second!]) expect([0, 1 / 0.7]).toContainEqual(expect.closeTo(v, 5));
    // A fresh layer with the same seed replays the stream; another seed does not.
    const replay = async (seed: number) => Array.from(await trainingDropout(tf.layers.dropout({ rate: 0.3, seed }), tf.ones([3, 7])).data());
    expect(await replay(11)).toEqual(first);
    expect(await replay(12)).not.toEqual(first);
  });

  it('keeps about 1 - rate of the units, scales them up, and leaves inference alone', async () => {
    const layer = tf.layers.dropout({ rate: 0.25, seed: 3 });
    const x = tf.ones([400, 250]);
    const out = trainingDropout(layer, x);
    const kept = (await out.data()).filter((v) => v > 0);
    expect(kept.length / 100_000).toBeCloseTo(0.75, 2);
    expect(kept.every((v) => Math.abs(v - 1 / 0.75) < 1e-6)).toBe(true);
    const model = tf.sequential({ layers: [tf.layers.dropout({ rate: 0.25, seed: 3, inputShape: [250] })] });
    expect(Array.from(await forward(model, x, false).data()).every((v) => v === 1)).toBe(true);
    tf.dispose([x, out]);
    model.dispose();
  });

  it('gives ReLU6 and global average pooling the same values and gradients as the layers themselves', async () => {
    const values = Array.from({ length: 2 * 3 * 3 * 5 }, (_, i) => (i % 9) - 1.5 + (i % 4 === 0 ? 0.5 : 0)); // spans < 0, 0 … 6 and > 6
    values[0] = 0;
    values[1] = 6; // the edges: no gradient at 0, gradient at 6, as TF.js' relu6 gives
    const results = await onBackends(async () => {
      const out: number[][] = [];
      for (const layer of [tf.layers.reLU({ maxValue: 6 }), tf.layers.reLU({}), tf.layers.globalAveragePooling2d({})]) {
        const x = tf.tensor4d(values, [2, 3, 3, 5]);
        const weights = tf.randomNormal([...(layer.computeOutputShape(x.shape) as number[])], 0, 1, 'float32', 5);
        const ours = tf.valueAndGrad((v: tf.Tensor) => tf.sum(tf.mul(trainingLayer(layer, v)!, weights)))(x);
        const theirs = tf.valueAndGrad((v: tf.Tensor) => tf.sum(tf.mul(layer.apply(v) as tf.Tensor, weights)))(x);
        for (const r of [ours, theirs]) out.push([...(await r.value.data()), ...(await r.grad.data())]);
        tf.dispose([x, weights, ours.value, ours.grad, theirs.value, theirs.grad]);
      }
      return out;
    });
    for (const rows of [results.wasm, results.cpu]) {
      for (let i = 0; i < rows.length; i += 2) rows[i]!.forEach((v, j) => expect(v).toBeCloseTo(rows[i + 1]![j]!, 5));
    }
    expect(trainingLayer(tf.layers.flatten({}), tf.zeros([1, 2]))).toBeUndefined();
  });

  it('computes cross-entropy from logits as Keras does from the softmax, in value and gradient, with class weights', async () => {
    const logits = tf.tensor2d([2, -1, 0.5, 0.1, 3, -2, -4, 1, 1, 20, -20, 0], [4, 3]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 1, 0], 'int32'), 3).toFloat();
    const classWeights = tf.tensor1d([2, 0.5, 1]);
    for (const weights of [undefined, classWeights]) {
      const fused = tf.valueAndGrad((z: tf.Tensor) => weightedCrossEntropy(y, { values: z, logits: true }, weights))(logits);
      const keras = tf.valueAndGrad((z: tf.Tensor) => weightedCrossEntropy(y, { values: tf.softmax(z), logits: false }, weights))(logits);
      expect((await fused.value.data())[0]).toBeCloseTo((await keras.value.data())[0]!, 5);
      const [a, b] = [await fused.grad.data(), await keras.grad.data()];
      // The last example is certain: Keras clips its probability at 1 - 1e-7, where the clipped formula has no gradient.
      Array.from(a).slice(0, 9).forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 5));
      tf.dispose([fused.value, fused.grad, keras.value, keras.grad]);
    }
    tf.dispose([logits, y, classWeights]);
  });
});
