import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/select-backend';
import { loadBase, type LoadedBase } from '../base-models/feature-extractor';
import { bundledBaseModel } from '../base-models/registry';
import { InMemoryEmbeddingStore } from '../extraction/embedding-store';
import { emojiSubset } from '../testing';
import { trainClassifier } from './train-classifier';

describe('train a classifier end to end on real images', () => {
  let base: LoadedBase;
  beforeAll(async () => {
    await initBackend('wasm');
    base = await loadBase(bundledBaseModel('mobilenet_v2_mid'));
  }, 60_000);

  it('beats chance by a wide margin (flags vs faces, 16 Twemoji each, test emoji unseen), and reuses the cache on a rerun', async () => {
    const set = emojiSubset(['Flags', 'Smileys & Emotion'], 16, 11);
    const store = new InMemoryEmbeddingStore();
    const before = tf.memory().numTensors;
    const first = await trainClassifier(set, base, store, { head: { epochs: 40, seed: 1, learningRate: 3e-3 }, compareFromScratch: true });
    expect(first.extraction.computed).toBe(32);
    expect(first.dataset.counts.test).toBeGreaterThanOrEqual(8);
    expect(first.head.evaluation.accuracy).toBeGreaterThanOrEqual(0.8);
    expect(first.fromScratch?.evaluation.count).toBe(first.head.evaluation.count);
    first.head.model.dispose();
    expect(tf.memory().numTensors).toBe(before);

    const again = await trainClassifier(set, base, store, { head: { epochs: 40, seed: 1, learningRate: 3e-3 } });
    expect(again.extraction).toMatchObject({ computed: 0, reused: 32 });
    expect(again.head.evaluation.accuracy).toBe(first.head.evaluation.accuracy);
    again.head.model.dispose();
  }, 180_000);

  it('refuses fine-tuning an extraction-only base before doing any work', async () => {
    const set = emojiSubset(['Flags', 'Smileys & Emotion'], 4, 11);
    const store = new InMemoryEmbeddingStore();
    await expect(trainClassifier(set, base, store, { fineTune: {} })).rejects.toThrow(/cannot be fine-tuned/);
    expect(store.size()).toBe(0);
  });
});
