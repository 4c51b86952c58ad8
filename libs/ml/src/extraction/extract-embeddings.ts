import { createHash } from 'node:crypto';
import type { FeatureExtractor } from '../base-models/feature-extractor';
import { decodeImage, ImageDecodeError } from '../images/decode-image';
import type { EmbeddingKey, EmbeddingStore } from './embedding-store';
import { inThreadEmbedder, type Embedder } from './embedder';

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

export function embeddingKeyOf(extractor: Pick<Embedder, 'descriptor' | 'layer' | 'preprocessingKey'>): EmbeddingKey {
  return { baseModelId: extractor.descriptor.id, baseModelVersion: extractor.descriptor.version, layer: extractor.layer.id, preprocessing: extractor.preprocessingKey };
}

interface PreparedBatch {
  size: number;
  toCompute: { id: string; hash: string; pixels: Uint8Array }[];
}

/**
 * Embeds every image, computing only those the store lacks, in batches of `batchSize`. While a
 * batch runs through the base, the next one is read, looked up and decoded (sharp works on its
 * own threads): at most two batches of decoded pixels are in memory. A bad image is reported,
 * not fatal.
 */
export async function extractEmbeddings(images: readonly ImageSource[], extractorOrEmbedder: FeatureExtractor | Embedder, store: EmbeddingStore, options: ExtractionOptions = {}): Promise<ExtractionResult> {
  const started = Date.now();
  const embedder = 'embedBatch' in extractorOrEmbedder ? extractorOrEmbedder : inThreadEmbedder(extractorOrEmbedder);
  const batchSize = options.batchSize ?? 16;
  const key = embeddingKeyOf(embedder);
  const { width, height } = embedder.descriptor.inputSize;
  const result: ExtractionResult = { vectors: new Map(), contentHashes: new Map(), computed: 0, reused: 0, failed: [], durationMs: 0 };
  let done = 0;
  const report = (count: number) => {
    done += count;
    options.onProgress?.({ done, total: images.length, computed: result.computed, reused: result.reused, failed: result.failed.length });
  };

  const prepare = async (batch: readonly ImageSource[]): Promise<PreparedBatch> => {
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
    const misses = hashed.filter((h) => {
      result.contentHashes.set(h.source.id, h.hash);
      const hit = cached.get(h.hash);
      if (hit) {
        result.vectors.set(h.source.id, hit);
        result.reused++;
      }
      return !hit;
    });
    const decoded = await Promise.all(
      misses.map(async (h) => {
        try {
          const bytes = h.bytes ?? (await h.source.read());
          return { id: h.source.id, hash: h.hash, pixels: (await decodeImage(bytes, h.source.id, { width, height })).pixels };
        } catch (error) {
          result.failed.push({ id: h.source.id, reason: error instanceof ImageDecodeError ? error.reason : (error as Error).message });
          return undefined;
        }
      }),
    );
    return { size: batch.length, toCompute: decoded.filter((d) => d !== undefined) };
  };

  // Up to `concurrency` batches run in the embedder; the next batch is prepared meanwhile.
  const inFlight: Promise<void>[] = [];
  let next: Promise<PreparedBatch> | undefined = images.length > 0 ? prepare(images.slice(0, batchSize)) : undefined;
  try {
    for (let start = 0; next; start += batchSize) {
      const { size, toCompute } = await next;
      next = undefined;
      if (options.signal?.aborted) throw new Error('extraction cancelled');
      const following = start + batchSize;
      if (following < images.length) next = prepare(images.slice(following, following + batchSize));
      if (toCompute.length === 0) {
        report(size);
        continue;
      }
      inFlight.push(
        (async () => {
          const vectors = await embedder.embedBatch(toCompute.map((c) => c.pixels));
          await store.putMany(key, toCompute.map((c, i) => ({ contentHash: c.hash, vector: vectors[i]! })));
          toCompute.forEach((c, i) => result.vectors.set(c.id, vectors[i]!));
          result.computed += toCompute.length;
          report(size);
        })(),
      );
      if (inFlight.length >= embedder.concurrency) await inFlight.shift();
    }
    await Promise.all(inFlight);
  } finally {
    // A batch prepared ahead is not used after an error or a cancel: let it settle unobserved.
    void next?.catch(() => undefined);
  }
  // Batches overlap, so vectors arrived out of order: put them back in the order given.
  const arrived = result.vectors;
  result.vectors = new Map(images.flatMap((i) => (arrived.has(i.id) ? [[i.id, arrived.get(i.id)!] as const] : [])));
  result.durationMs = Date.now() - started;
  return result;
}
