import * as tf from '@tensorflow/tfjs';

export interface AugmentationOptions {
  horizontalFlip: boolean;
  /** Fraction of each side kept by a random crop (1 = off). */
  cropFraction: number;
  /** Max brightness change as a fraction of full scale (0 = off). */
  brightness: number;
}

export const noAugmentation: AugmentationOptions = { horizontalFlip: false, cropFraction: 1, brightness: 0 };

export function augmentationEnabled(a: AugmentationOptions): boolean {
  return a.horizontalFlip || a.cropFraction < 1 || a.brightness > 0;
}

/** Random flip, crop (resized back) and brightness on 0..255 pixels [n, h, w, 3], from seeded draws. */
export function augmentBatch(pixels: tf.Tensor4D, a: AugmentationOptions, random: () => number): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w] = pixels.shape;
    let x = pixels.toFloat() as tf.Tensor4D;
    if (a.cropFraction < 1) {
      const boxes: number[][] = [];
      for (let i = 0; i < n; i++) {
        const size = a.cropFraction + random() * (1 - a.cropFraction);
        const top = random() * (1 - size);
        const left = random() * (1 - size);
        boxes.push([top, left, top + size, left + size]);
      }
      x = tf.image.cropAndResize(x, boxes, Array.from({ length: n }, (_, i) => i), [h, w]);
    }
    if (a.horizontalFlip) {
      const flip = Array.from({ length: n }, () => (random() < 0.5 ? 1 : 0));
      const mask = tf.tensor4d(flip, [n, 1, 1, 1]);
      x = tf.add(tf.mul(tf.image.flipLeftRight(x), mask), tf.mul(x, tf.sub(1, mask))) as tf.Tensor4D;
    }
    if (a.brightness > 0) {
      const deltas = Array.from({ length: n }, () => (random() * 2 - 1) * a.brightness * 255);
      x = tf.clipByValue(tf.add(x, tf.tensor4d(deltas, [n, 1, 1, 1])), 0, 255) as tf.Tensor4D;
    }
    return x;
  });
}
