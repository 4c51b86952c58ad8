import type { BaseModelDescriptor, ExtractableLayer } from '../base-models/descriptor';
import type { FeatureExtractor } from '../base-models/feature-extractor';
import { stackPixels } from '../images/stack-pixels';

/** Anything that turns decoded images into embeddings: one extractor in this thread, or a pool of workers. */
export interface Embedder {
  readonly descriptor: BaseModelDescriptor;
  readonly layer: ExtractableLayer;
  readonly preprocessingKey: string;
  /** How many batches may usefully run at once. */
  readonly concurrency: number;
  /** `pixels`: RGB 0..255 at the descriptor's input size. */
  embedBatch(pixels: Uint8Array[]): Promise<Float32Array[]>;
}

export function inThreadEmbedder(extractor: FeatureExtractor): Embedder {
  const { width, height } = extractor.descriptor.inputSize;
  return {
    descriptor: extractor.descriptor,
    layer: extractor.layer,
    preprocessingKey: extractor.preprocessingKey,
    concurrency: 1,
    embedBatch: (pixels) => embedPixels(extractor, pixels, height, width),
  };
}

/** Runs one batch through the base; every intermediate tensor is freed. */
export async function embedPixels(extractor: FeatureExtractor, pixels: readonly Uint8Array[], height: number, width: number): Promise<Float32Array[]> {
  const input = stackPixels(pixels, height, width, 'int32');
  try {
    const out = extractor.embed(input);
    const data = await out.data();
    out.dispose();
    const dim = extractor.layer.size;
    return pixels.map((_, i) => Float32Array.from(data.subarray(i * dim, (i + 1) * dim)));
  } finally {
    input.dispose();
  }
}
