import * as tf from '@tensorflow/tfjs';
import { evaluatePredictions, type Evaluation } from '../evaluation/evaluate';
import { stackPixels } from '../images/stack-pixels';
import { fitWithEarlyStopping, oneHotLabels } from '../training/fit-loop';
import { balancedClassWeights } from '../training/labelled-data';
import type { PixelSet } from '../finetune/fine-tune';

export const scratchInputSize = 32;

/**
 * The baseline transfer learning has to beat: a small network trained from random weights on
 * the same images (downsized to 32×32 RGB), same split. An MLP rather than a CNN: on the wasm
 * backend conv gradients fall back to the slow cpu kernels, and an MLP on small images is the
 * classic from-scratch baseline for datasets of this size.
 */
export async function trainFromScratch(train: PixelSet, validation: PixelSet | undefined, test: PixelSet, classNames: string[], sourceSize: number, seed: number, epochs = 40): Promise<{ evaluation: Evaluation; durationMs: number }> {
  const started = Date.now();
  const toTensor = (set: PixelSet) =>
    tf.tidy(() => {
      const x = stackPixels(set.pixels, sourceSize, sourceSize, 'int32').toFloat().div(255) as tf.Tensor4D;
      return tf.image.resizeBilinear(x, [scratchInputSize, scratchInputSize]);
    });
  const k = classNames.length;
  const model = tf.sequential({ name: 'from_scratch' });
  model.add(tf.layers.flatten({ inputShape: [scratchInputSize, scratchInputSize, 3] }));
  model.add(tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed }) }));
  model.add(tf.layers.dropout({ rate: 0.3, seed: seed + 1 }));
  model.add(tf.layers.dense({ units: k, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }) }));
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const x = toTensor(train);
  const y = oneHotLabels(train.labels, k);
  const val = validation && validation.pixels.length > 0 ? ([toTensor(validation), oneHotLabels(validation.labels, k)] as [tf.Tensor, tf.Tensor]) : undefined;
  const xt = toTensor(test);
  try {
    await fitWithEarlyStopping(model, x, y, val, { epochs, batchSize: 32, patience: 8, seed, classWeight: balancedClassWeights(train.labels, k) });
    const probs = model.predict(xt) as tf.Tensor;
    const evaluation = evaluatePredictions((await probs.data()) as Float32Array, test.labels, classNames);
    probs.dispose();
    return { evaluation, durationMs: Date.now() - started };
  } finally {
    [x, y, xt, ...(val ?? [])].forEach((t) => t.dispose());
    model.optimizer.dispose();
    model.dispose();
  }
}
