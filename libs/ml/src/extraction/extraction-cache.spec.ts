import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/select-backend';
import { createFeatureExtractor, loadBase, type FeatureExtractor } from '../base-models/feature-extractor';
import { bundledBaseModel } from '../base-models/registry';
import { bytesSource, emojiSubset } from '../testing';
import { InMemoryEmbeddingStore, LocalEmbeddingStore } from './embedding-store';
import { extractEmbeddings, type ExtractionProgress } from './extract-embeddings';

describe('embedding extraction with a cache (real Twemoji images, MobileNetV2 α1.4)', () => {
  let extractor: FeatureExtractor;
  const images = emojiSubset(['Animals & Nature', 'Flags'], 5).items.map((i) => i.source);

  beforeAll(async () => {
    await initBackend('wasm');
    extractor = createFeatureExtractor(await loadBase(bundledBaseModel('mobilenet_v2_mid')));
  }, 60_000);
  afterAll(() => extractor.dispose());

  it('computes each embedding once; a second run reuses every one; tensors are all freed', async () => {
    const store = new InMemoryEmbeddingStore();
    const progress: ExtractionProgress[] = [];
    const before = tf.memory().numTensors;
    const first = await extractEmbeddings(images, extractor, store, { batchSize: 4, onProgress: (p) => progress.push(p) });
    expect(tf.memory().numTensors).toBe(before);
    expect(first).toMatchObject({ computed: 10, reused: 0, failed: [] });
    expect(progress.map((p) => p.done)).toEqual([4, 8, 10]);
    // Batches overlap (the next is decoded while one runs), yet results come in the order given.
    expect([...first.vectors.keys()]).toEqual(images.map((i) => i.id));
    expect(store.size()).toBe(10);
    const vector = first.vectors.get(images[0]!.id)!;
    expect(vector.length).toBe(1792);
    expect(vector.some((v) => v !== 0)).toBe(true);

    const second = await extractEmbeddings(images, extractor, store, { batchSize: 4 });
    expect(second).toMatchObject({ computed: 0, reused: 10 });
    expect(Array.from(second.vectors.get(images[0]!.id)!)).toEqual(Array.from(vector));
  }, 120_000);

  it('reports a corrupt image by name and still embeds the rest of its batch', async () => {
    const corrupt = bytesSource('broken.png', new TextEncoder().encode('definitely not a png'));
    const result = await extractEmbeddings([images[0]!, corrupt, images[1]!], extractor, new InMemoryEmbeddingStore(), { batchSize: 8 });
    expect(result.computed).toBe(2);
    expect(result.failed).toEqual([{ id: 'broken.png', reason: expect.stringMatching(/not a readable image/) }]);
  }, 60_000);

  it('keeps the cache on disk across processes (LocalEmbeddingStore)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tern-cache-'));
    const first = await extractEmbeddings(images.slice(0, 3), extractor, new LocalEmbeddingStore(dir));
    const reopened = await extractEmbeddings(images.slice(0, 3), extractor, new LocalEmbeddingStore(dir));
    expect(first.computed).toBe(3);
    expect(reopened).toMatchObject({ computed: 0, reused: 3 });
    expect(Array.from(reopened.vectors.get(images[2]!.id)!)).toEqual(Array.from(first.vectors.get(images[2]!.id)!));
  }, 60_000);
});
