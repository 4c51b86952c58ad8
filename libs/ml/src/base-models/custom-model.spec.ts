import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/select-backend';
import { saveLayersModel } from '../export/model-files';
import { ModelArtifactError } from './artifacts';
import { describeCustomModel } from './custom-model';
import { createFeatureExtractor, loadBase } from './feature-extractor';

describe("a user's own TF.js model as a base", () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('is described from its files (layers, input size, weights hash) and extracts embeddings', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tern-custom-'));
    const model = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 6, kernelSize: 3, name: 'features' }), tf.layers.globalAveragePooling2d({ name: 'pool' }), tf.layers.dense({ units: 3, name: 'old_head' })] });
    await saveLayersModel(model, dir);
    const descriptor = await describeCustomModel({ kind: 'path', modelJsonPath: path.join(dir, 'model.json') }, { id: 'my_net' });
    expect(descriptor).toMatchObject({ id: 'my_net', format: 'layers', inputSize: { width: 32, height: 32 }, defaultLayer: 'pool', fineTunable: true });
    expect(descriptor.version).toMatch(/^sha256-[0-9a-f]{16}$/);
    expect(descriptor.layers.map((l) => [l.id, l.size])).toEqual([['features', 6], ['pool', 6], ['old_head', 3]]);
    const embedding = createFeatureExtractor(await loadBase(descriptor)).embed(tf.ones([2, 32, 32, 3]) as tf.Tensor4D);
    expect(embedding.shape).toEqual([2, 6]);
  });

  it('rejects broken model files with the reason', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tern-broken-'));
    writeFileSync(path.join(dir, 'model.json'), '{"modelTopology": {}, "weightsManifest": [{"paths": ["w.bin"], "weights": [{"name": "k", "shape": [4], "dtype": "float32"}]}]}');
    const source = { kind: 'path' as const, modelJsonPath: path.join(dir, 'model.json') };
    await expect(describeCustomModel(source, { id: 'x' })).rejects.toThrow(/weight shard w.bin not found/);
    writeFileSync(path.join(dir, 'w.bin'), Buffer.alloc(8));
    await expect(describeCustomModel(source, { id: 'x' })).rejects.toThrow(/weights are 8 bytes but the manifest describes 16/);
    writeFileSync(path.join(dir, 'model.json'), 'not json');
    await expect(describeCustomModel(source, { id: 'x' })).rejects.toBeInstanceOf(ModelArtifactError);
    await expect(describeCustomModel({ kind: 'path', modelJsonPath: path.join(dir, 'nope.json') }, { id: 'x' })).rejects.toThrow(/model.json not found/);
  });
});
