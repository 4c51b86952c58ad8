import * as tf from '@tensorflow/tfjs';

/** Decoded RGB images (height × width × 3 bytes each) as one [n, height, width, 3] tensor. Caller disposes it. */
export function stackPixels(pixels: readonly Uint8Array[], height: number, width: number, dtype: 'int32' | 'float32' = 'float32'): tf.Tensor4D {
  const stride = height * width * 3;
  const flat = new Uint8Array(pixels.length * stride);
  pixels.forEach((p, i) => flat.set(p, i * stride));
  return tf.tensor4d(flat, [pixels.length, height, width, 3], dtype);
}
