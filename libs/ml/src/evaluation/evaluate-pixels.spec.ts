import * as tf from '@tensorflow/tfjs';
import { stackPixels } from '../images/stack-pixels';
import { evaluateModel } from './evaluate';
import { evaluateOnPixels } from './evaluate-pixels';

describe('evaluation on decoded images', () => {
  const size = { width: 6, height: 5 };
  const classNames = ['a', 'b', 'c'];
  // A pixels-in model: 6×5 RGB in, three class probabilities out.
  const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [size.height, size.width, 3] }), tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.randomNormal({ seed: 3, stddev: 0.01 }) })] });
  const pixels = Array.from({ length: 11 }, (_, i) => Uint8Array.from({ length: size.width * size.height * 3 }, (_, j) => (i * 31 + j * 7) % 256));
  const set = { pixels, labels: pixels.map((_, i) => i % 3) };
  afterAll(() => model.dispose());

  it('gives what the whole stacked split gives, a batch at a time (a last batch shorter), leaking no tensor', async () => {
    const stacked = stackPixels(pixels, size.height, size.width, 'float32');
    const whole = await evaluateModel(model, stacked, set.labels, classNames);
    stacked.dispose();
    const before = tf.memory().numTensors;
    const batched = await evaluateOnPixels(model, set, size, classNames, 4);
    expect(tf.memory().numTensors).toBe(before);
    expect(batched.confusion).toEqual(whole.confusion);
    expect(batched.count).toBe(11);
    expect(batched.accuracy).toBeCloseTo(whole.accuracy, 10);
    expect(batched.macroF1).toBeCloseTo(whole.macroF1, 10);
  });

  it('refuses a batch size that is not a positive integer', async () => {
    await expect(evaluateOnPixels(model, set, size, classNames, 0)).rejects.toThrow('batch size must be a positive integer, got 0');
  });
});
