import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';
import type { LabelledImageSet } from './labelled-images';

export const fashionMnistDir = '/usr/share/datasets/fashion-mnist';
export const fashionMnistClasses = ['T-shirt', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

function readIdx(file: string): Buffer {
  if (!existsSync(file)) throw new Error(`${file} not found: install Debian's dataset-fashion-mnist (scripts do it for you)`);
  return gunzipSync(readFileSync(file));
}

/**
 * Fashion-MNIST (Debian package dataset-fashion-mnist): 28×28 grey images. The first
 * `perClass` images of each class from the training file (train/validation) and from the
 * test file (test split), so the test split is the dataset's own.
 */
export function loadFashionMnist(perClass: number, testPerClass = perClass, dir = fashionMnistDir): LabelledImageSet {
  const items: LabelledImageSet['items'] = [];
  for (const [prefix, split, want] of [['train', undefined, perClass], ['t10k', 'test', testPerClass]] as const) {
    const images = readIdx(path.join(dir, `${prefix}-images-idx3-ubyte.gz`));
    const labels = readIdx(path.join(dir, `${prefix}-labels-idx1-ubyte.gz`));
    if (images.readUInt32BE(0) !== 2051 || labels.readUInt32BE(0) !== 2049) throw new Error(`${prefix}: not idx image/label files`);
    const count = labels.readUInt32BE(4);
    const taken = new Array<number>(10).fill(0);
    for (let i = 0; i < count && taken.some((t) => t < want); i++) {
      const label = labels[8 + i]!;
      if (taken[label]! >= want) continue;
      taken[label]!++;
      const pixels = images.subarray(16 + i * 784, 16 + (i + 1) * 784);
      const id = `fashion-mnist/${prefix}/${i}`;
      items.push({
        source: { id, read: async () => new Uint8Array(await sharp(Buffer.from(pixels), { raw: { width: 28, height: 28, channels: 1 } }).png().toBuffer()) },
        label: fashionMnistClasses[label]!,
        ...(split ? { split } : {}),
      });
    }
  }
  return { name: 'fashion-mnist', classNames: [...fashionMnistClasses], items, note: 'Fashion-MNIST (Zalando, MIT) from Debian dataset-fashion-mnist.' };
}
