import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/select-backend';
import { createFeatureExtractor, loadBase } from '../base-models/feature-extractor';
import { bundledBaseModel } from '../base-models/registry';
import { decodeImage } from '../images/decode-image';
import { emojiSubset } from '../testing';
import { buildHead } from '../training/train-head';
import { loadClassifier, saveClassifier } from './classifier-bundle';
import { loadLayersModelFromDir } from './model-files';

describe('classifier export', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });
  const image = emojiSubset(['Flags'], 1).items[0]!.source;

  it('writes one layers model (base + head + preprocessing) that tf.loadLayersModel reloads with the same predictions', async () => {
    const base = await loadBase(bundledBaseModel('mobilenet_v2'));
    const head = buildHead(1280, 3, { hiddenUnits: [8], dropout: 0.1, seed: 4 });
    const dir = mkdtempSync(path.join(tmpdir(), 'tern-export-'));
    const meta = await saveClassifier(dir, { base, layerId: 'global_pool', head, labels: ['a', 'b', 'c'], kind: 'head' });
    expect(meta).toMatchObject({ hasFullModel: true, labels: ['a', 'b', 'c'], baseModel: { id: 'mobilenet_v2', layer: 'global_pool' }, inputSize: { width: 224, height: 224 } });

    const decoded = await decodeImage(await image.read(), image.id, { width: 224, height: 224 });
    const pixels = tf.tensor4d(decoded.pixels, [1, 224, 224, 3], 'int32').toFloat() as tf.Tensor4D;
    const expected = await (head.predict(createFeatureExtractor(base).embed(pixels)) as tf.Tensor).data();
    const reloaded = await loadLayersModelFromDir(path.join(dir, 'model'));
    const actual = await (reloaded.predict(pixels) as tf.Tensor).data();
    Array.from(actual).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));

    const classifier = await loadClassifier(dir);
    const [prediction] = await classifier.predictImages([image], 2);
    expect(prediction).toMatchObject({ id: image.id, top: [{ label: expect.any(String), probability: expect.any(Number) }, expect.anything()] });
    const embedded = await classifier.predictEmbeddings([new Float32Array(1280)], 3);
    expect(embedded[0]!.top.map((t) => t.label).sort()).toEqual(['a', 'b', 'c']);
    await expect(classifier.predictEmbeddings([new Float32Array(5)])).rejects.toThrow(/has 5 values; this model takes 1280/);
    classifier.dispose();
  }, 120_000);

  it('exports head-only for a graph base and predicts through the registered base', async () => {
    const base = await loadBase(bundledBaseModel('mobilenet_v2_mid'));
    const head = buildHead(1792, 2, { hiddenUnits: [], dropout: 0, seed: 1 });
    const dir = mkdtempSync(path.join(tmpdir(), 'tern-export-'));
    const meta = await saveClassifier(dir, { base, layerId: 'feature_vector', head, labels: ['x', 'y'], kind: 'head' });
    expect(meta.hasFullModel).toBe(false);
    const classifier = await loadClassifier(dir);
    const [prediction] = await classifier.predictImages([image, { id: 'missing.png', read: async () => Promise.reject(new Error('ENOENT')) }]);
    expect('top' in prediction! && prediction.top).toHaveLength(2);
    expect(await classifier.predictImages([{ id: 'missing.png', read: async () => Promise.reject(new Error('ENOENT')) }])).toEqual([{ id: 'missing.png', error: 'ENOENT' }]);
    classifier.dispose();
  }, 120_000);

  it('refuses a directory that is not a Tern model', async () => {
    await expect(loadClassifier(mkdtempSync(path.join(tmpdir(), 'tern-empty-')))).rejects.toThrow(/not a Tern model \(no tern.json\)/);
  });
});
