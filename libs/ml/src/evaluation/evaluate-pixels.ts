import * as tf from '@tensorflow/tfjs';
import type { PixelSet } from '../finetune/fine-tune';
import { stackPixels } from '../images/stack-pixels';
import { evaluatePredictions, type Evaluation } from './evaluate';

/**
 * Evaluates a pixels-in model (a fine-tuned base + head) on decoded images, `batchSize` at a time:
 * only one batch is ever a float tensor (a whole test split of 224×224 images stacked as float32
 * takes 0.6 MB an image).
 */
export async function evaluateOnPixels(model: tf.LayersModel, set: PixelSet, inputSize: { width: number; height: number }, classNames: readonly string[], batchSize = 16): Promise<Evaluation> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batch size must be a positive integer, got ${batchSize}`);
  const probabilities = new Float32Array(set.pixels.length * classNames.length);
  for (let start = 0; start < set.pixels.length; start += batchSize) {
    const batch = tf.tidy(() => model.predict(stackPixels(set.pixels.slice(start, start + batchSize), inputSize.height, inputSize.width, 'float32')) as tf.Tensor);
    try {
      probabilities.set((await batch.data()) as Float32Array, start * classNames.length);
    } finally {
      batch.dispose();
    }
  }
  return evaluatePredictions(probabilities, set.labels, classNames);
}
