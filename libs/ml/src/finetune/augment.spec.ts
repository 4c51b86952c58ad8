import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../util/seeded-random';
import { augmentationEnabled, augmentBatch, noAugmentation } from './augment';

describe('augmentation', () => {
  const pixels = tf.tidy(() => tf.linspace(0, 255, 2 * 8 * 8 * 3).reshape([2, 8, 8, 3]) as tf.Tensor4D);

  it('keeps shape and range, changes pixels, and is reproducible from a seed', async () => {
    const options = { horizontalFlip: true, cropFraction: 0.7, brightness: 0.2 };
    expect(augmentationEnabled(options)).toBe(true);
    expect(augmentationEnabled(noAugmentation)).toBe(false);
    const a = augmentBatch(pixels, options, seededRandom(1));
    const b = augmentBatch(pixels, options, seededRandom(1));
    expect(a.shape).toEqual([2, 8, 8, 3]);
    expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
    expect(Array.from(await a.data())).not.toEqual(Array.from(await pixels.data()));
    expect((await a.min().data())[0]).toBeGreaterThanOrEqual(0);
    expect((await a.max().data())[0]).toBeLessThanOrEqual(255);
  });

  it('flips horizontally when asked and only then', async () => {
    const flipped = augmentBatch(pixels, { horizontalFlip: true, cropFraction: 1, brightness: 0 }, () => 0); // random() < 0.5: flip
    expect(Array.from(await flipped.data())).toEqual(Array.from(await tf.image.flipLeftRight(pixels).data()));
    const kept = augmentBatch(pixels, noAugmentation, () => 0);
    expect(Array.from(await kept.data())).toEqual(Array.from(await pixels.data()));
  });
});
