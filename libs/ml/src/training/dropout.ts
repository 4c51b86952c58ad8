import * as tf from '@tensorflow/tfjs';
import { activeSimdKernels } from '../backend/simd/simd-kernels';

// One stream of draws per Dropout layer, seeded by the layer's seed: a new model replays the same masks.
const streams = new WeakMap<tf.layers.Layer, { seed: number; drawn: number }>();

/**
 * A Dropout layer in training mode, with a new mask on every call. TF.js' own dropout draws its
 * mask with `randomUniform(…, seed)`, which restarts the seeded stream on each call: a seeded
 * Dropout layer dropped the same units on every step (seen: two calls gave identical masks), so
 * those units never trained. Here each layer's stream advances with every mask. The draws are a
 * counter-based hash (`dropoutDraw`), computed by the SIMD module on wasm (a 256×128 mask in a
 * few microseconds; TF.js' JS generator took ~0.5 ms) and in JS elsewhere: the same masks on
 * every backend. Inference mode, and the rare `noiseShape` option, go to the layer itself.
 */
export function trainingDropout(layer: tf.layers.Layer, x: tf.Tensor): tf.Tensor {
  const config = layer.getConfig() as { rate: number; seed?: number; noiseShape?: number[] | null };
  if (config.rate <= 0 || config.noiseShape) return layer.apply(x, { training: true }) as tf.Tensor;
  let stream = streams.get(layer);
  if (!stream) {
    stream = { seed: (config.seed ?? Math.floor(Math.random() * 2 ** 32)) >>> 0, drawn: 0 };
    streams.set(layer, stream);
  }
  const keep = 1 - config.rate;
  // A unit is kept when its draw, a 32-bit unsigned number, is below keep × 2^32.
  const threshold = Math.floor(keep * 2 ** 32);
  const first = stream.drawn;
  stream.drawn = (stream.drawn + x.size) >>> 0;
  return tf.tidy(() => tf.mul(x, dropoutMask(x.shape, stream.seed, first, threshold, 1 / keep)));
}

function dropoutMask(shape: number[], seed: number, first: number, threshold: number, scale: number): tf.Tensor {
  const simd = activeSimdKernels();
  if (simd) return tf.engine().makeTensorFromTensorInfo(simd.dropoutMask(shape, seed, first, threshold, scale));
  const mask = new Float32Array(tf.util.sizeFromShape(shape));
  for (let i = 0; i < mask.length; i++) mask[i] = dropoutDraw(seed, first + i) < threshold ? scale : 0;
  return tf.tensor(mask, shape, 'float32');
}

/** Draw `counter` of stream `seed`: lowbias32 of counter × 0x9e3779b9 + seed, as kernels.wat computes it. */
export function dropoutDraw(seed: number, counter: number): number {
  let x = (Math.imul(counter | 0, 0x9e3779b9) + seed) | 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}
