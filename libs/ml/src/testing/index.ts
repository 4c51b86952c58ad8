import sharp from 'sharp';
import { loadEmojiDataset } from '../datasets/emoji-dataset';
import { assignSplits, limitPerClass, type LabelledImageSet } from '../datasets/labelled-images';
import type { ImageSource } from '../extraction/extract-embeddings';

/** A small real dataset: Twemoji PNGs of the given categories, split by emoji. */
export function emojiSubset(categories: string[], perClass: number, seed = 7, fractions = { validation: 0.2, test: 0.3 }): LabelledImageSet {
  return assignSplits(limitPerClass(loadEmojiDataset(categories), perClass, seed), fractions, seed);
}

export function bytesSource(id: string, bytes: Uint8Array): ImageSource {
  return { id, read: async () => bytes };
}

/** Images made on the fly, one per format and oddity the decoder must handle. */
export async function imageFixture(kind: 'png-alpha' | 'grey-jpeg' | 'webp' | 'gif' | 'jpeg-rotated' | 'truncated-png'): Promise<Uint8Array> {
  const colour = { width: 40, height: 20, channels: 3 as const, background: { r: 200, g: 30, b: 30 } };
  switch (kind) {
    case 'png-alpha':
      return sharp({ create: { ...colour, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 0 } } }).png().toBuffer();
    case 'grey-jpeg':
      return sharp({ create: colour }).greyscale().jpeg().toBuffer();
    case 'webp':
      return sharp({ create: colour }).webp().toBuffer();
    case 'gif':
      return sharp({ create: colour }).gif().toBuffer();
    case 'jpeg-rotated':
      return sharp({ create: colour }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    case 'truncated-png': {
      const png = await sharp({ create: { ...colour, width: 200, height: 200 }, }).png({ compressionLevel: 0 }).toBuffer();
      return png.subarray(0, Math.floor(png.length / 2));
    }
  }
}
