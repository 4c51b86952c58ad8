import * as tf from '@tensorflow/tfjs';
import { activeSimdKernels } from '../backend/simd/simd-kernels';
import { trainingDropout } from './dropout';

/**
 * A layer in training mode where TF.js' own is wrong or slow, or undefined for the layer itself:
 *  - Dropout: TF.js' seeded dropout repeats its mask on every call (dropout.ts);
 *  - ReLU capped at 6: relu then clipByValue, whose gradients ran ~8 elementwise kernels over a
 *    16×7×7×1280 fine-tuning batch (~41 ms on wasm); here one masking pass (the SIMD module);
 *  - global average pooling: the gradient of mean built a tensor of ones in JS and multiplied
 *    (~10 ms on that batch); here each example's gradient row is copied to every position.
 * Forward values are the layers' own. Any other configuration goes to the layer itself.
 */
export function trainingLayer(layer: tf.layers.Layer, x: tf.Tensor): tf.Tensor | undefined {
  const type = layer.getClassName();
  const config = layer.getConfig() as { maxValue?: number | null; dataFormat?: string };
  if (type === 'Dropout') return trainingDropout(layer, x);
  if (type === 'ReLU') return cappedRelu(config.maxValue ?? Infinity)(x);
  if (type === 'GlobalAveragePooling2D' && x.rank === 4 && (config.dataFormat ?? 'channelsLast') === 'channelsLast') return globalAveragePool(x);
  return undefined;
}

function cappedRelu(max: number): (x: tf.Tensor) => tf.Tensor {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([x]);
    const value = max === 6 ? tf.relu6(x) : max === Infinity ? tf.relu(x) : tf.clipByValue(tf.relu(x), 0, max);
    return { value, gradFunc: (dy: tf.Tensor, [input]: tf.Tensor[]) => reluGradient(input!, dy, max) };
  }) as (x: tf.Tensor) => tf.Tensor;
}

/** `dy` where 0 < x ≤ max, else 0: relu's mask and clipByValue's, in one pass on wasm. */
export function reluGradient(x: tf.Tensor, dy: tf.Tensor, max: number): tf.Tensor {
  const simd = activeSimdKernels();
  if (simd) return tf.engine().makeTensorFromTensorInfo(simd.reluBackward(x, dy, max));
  return tf.tidy(() => tf.mul(dy, tf.cast(tf.logicalAnd(tf.greater(x, 0), tf.lessEqual(x, max)), 'float32')));
}

const globalAveragePool = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor4D;
  const [batch, height, width, channels] = x.shape;
  return {
    value: tf.mean(x, [1, 2]),
    gradFunc: (dy: tf.Tensor) =>
      tf.tidy(() => {
        const positions = height * width;
        const exampleOfRow = tf.tensor1d(Int32Array.from({ length: batch * positions }, (_, i) => Math.floor(i / positions)), 'int32');
        return tf.reshape(tf.gather(tf.div(dy, positions), exampleOfRow), [batch, height, width, channels]);
      }),
  };
}) as (x: tf.Tensor) => tf.Tensor;
