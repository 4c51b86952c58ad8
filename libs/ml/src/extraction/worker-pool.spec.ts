import { initBackend } from '../backend/select-backend';
import { createFeatureExtractor, loadBase } from '../base-models/feature-extractor';
import { bundledBaseModel } from '../base-models/registry';
import { bytesSource, emojiSubset } from '../testing';
import { InMemoryEmbeddingStore } from './embedding-store';
import { extractEmbeddings } from './extract-embeddings';
import { createWorkerPoolEmbedder } from './worker-pool';

describe('extraction on a pool of worker threads (one wasm backend per core)', () => {
  it('gives the same embeddings as the in-thread extractor, with bad images reported, and closes cleanly', async () => {
    await initBackend('wasm');
    const descriptor = bundledBaseModel('mobilenet_v2_mid');
    const images = emojiSubset(['Food & Drink'], 7).items.map((i) => i.source);
    const withBad = [...images.slice(0, 3), bytesSource('bad.gif', new Uint8Array([1, 2, 3])), ...images.slice(3)];
    const pool = await createWorkerPoolEmbedder(descriptor, 'feature_vector', 2, 'wasm');
    try {
      expect(pool.concurrency).toBe(2);
      const parallel = await extractEmbeddings(withBad, pool, new InMemoryEmbeddingStore(), { batchSize: 2 });
      expect(parallel.computed).toBe(7);
      expect(parallel.failed.map((f) => f.id)).toEqual(['bad.gif']);
      const serial = await extractEmbeddings(images, createFeatureExtractor(await loadBase(descriptor), 'feature_vector'), new InMemoryEmbeddingStore(), { batchSize: 2 });
      for (const image of images) {
        const a = parallel.vectors.get(image.id)!;
        const b = serial.vectors.get(image.id)!;
        expect(a.length).toBe(1792);
        a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 4));
      }
    } finally {
      await pool.close();
    }
  }, 120_000);
});
