import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import type { FeatureExtractor } from '../base-models/feature-extractor';
import { decodeImage, ImageDecodeError } from '../images/decode-image';
import type { EmbeddingKey, EmbeddingStore } from './embedding-store';

/** One image to embed. Bytes are read lazily so a large dataset never sits in memory at once. */
export interface ImageSource {
  /** File path or sample id: named in errors. */
  id: string;
  /** sha256 of the bytes; computed from them when absent. */
  contentHash?: string;
  read(): Promise<Uint8Array>;
}

export interface ExtractionProgress {
  done: number;
  total: number;
  computed: number;
  reused: number;
  failed: number;
}

export interface ExtractionOptions {
  batchSize?: number;
  onProgress?: (p: ExtractionProgress) => void;
  /** Checked between batches: extraction stops early when it aborts. */
  signal?: AbortSignal;
}

export interface ExtractionResult {
  /** Embeddings by image id, in the order given (failed images absent). */
  vectors: Map<string, Float32Array>;
  contentHashes: Map<string, string>;
  computed: number;
  reused: number;
  failed: { id: string; reason: string }[];
  durationMs: number;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function embeddingKeyOf(extractor: FeatureExtractor): EmbeddingKey {
  return { baseModelId: extractor.descriptor.id, baseModelVersion: extractor.descriptor.version, layer: extractor.layer.id, preprocessing: extractor.preprocessingKey };
}

/**
 * Embeds every image, computing only those the store lacks, in batches of `batchSize`:
 * at most one batch of decoded pixels is in memory. A bad image is reported, not fatal.
 */
export async function extractEmbeddings(images: readonly ImageSource[], extractor: FeatureExtractor, store: EmbeddingStore, options: ExtractionOptions = {}): Promise<ExtractionResult> {
  const started = Date.now();
  const batchSize = options.batchSize ?? 16;
  const key = embeddingKeyOf(extractor);
  const { width, height } = extractor.descriptor.inputSize;
  const result: ExtractionResult = { vectors: new Map(), contentHashes: new Map(), computed: 0, reused: 0, failed: [], durationMs: 0 };
  const report = (done: number) => options.onProgress?.({ done, total: images.length, computed: result.computed, reused: result.reused, failed: result.failed.length });

  for (let start = 0; start < images.length; start += batchSize) {
    if (options.signal?.aborted) throw new Error('extraction cancelled');
    const batch = images.slice(start, start + batchSize);
    // Hashes first (cheap when given), so cached images are never decoded.
    const hashed: { source: ImageSource; hash: string; bytes?: Uint8Array }[] = [];
    for (const source of batch) {
      try {
        if (source.contentHash) hashed.push({ source, hash: source.contentHash });
        else {
          const bytes = await source.read();
          hashed.push({ source, hash: sha256Hex(bytes), bytes });
        }
      } catch (error) {
        result.failed.push({ id: source.id, reason: `cannot read: ${(error as Error).message}` });
      }
    }
    const cached = await store.getMany(key, hashed.map((h) => h.hash));
    const toCompute: { id: string; hash: string; pixels: Uint8Array }[] = [];
    for (const h of hashed) {
      result.contentHashes.set(h.source.id, h.hash);
      const hit = cached.get(h.hash);
      if (hit) {
        result.vectors.set(h.source.id, hit);
        result.reused++;
        continue;
      }
      try {
        const bytes = h.bytes ?? (await h.source.read());
        const decoded = await decodeImage(bytes, h.source.id, { width, height });
        toCompute.push({ id: h.source.id, hash: h.hash, pixels: decoded.pixels });
      } catch (error) {
        result.failed.push({ id: h.source.id, reason: error instanceof ImageDecodeError ? error.reason : (error as Error).message });
      }
    }
    if (toCompute.length > 0) {
      const vectors = await embedPixels(extractor, toCompute.map((c) => c.pixels), height, width);
      const fresh = toCompute.map((c, i) => ({ contentHash: c.hash, vector: vectors[i]! }));
      await store.putMany(key, fresh);
      toCompute.forEach((c, i) => result.vectors.set(c.id, vectors[i]!));
      result.computed += toCompute.length;
    }
    report(Math.min(start + batchSize, images.length));
  }
  result.durationMs = Date.now() - started;
  return result;
}

/** Runs one batch through the base; every intermediate tensor is freed. */
export async function embedPixels(extractor: FeatureExtractor, pixels: readonly Uint8Array[], height: number, width: number): Promise<Float32Array[]> {
  const stride = height * width * 3;
  const flat = new Uint8Array(pixels.length * stride);
  pixels.forEach((p, i) => flat.set(p, i * stride));
  const input = tf.tensor4d(flat, [pixels.length, height, width, 3], 'int32');
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
