import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/select-backend';
import { decodeImage } from '../images/decode-image';
import { stackPixels } from '../images/stack-pixels';
import { emojiSubset } from '../testing';
import { loadBase, preprocess, type LoadedBase } from './feature-extractor';
import { planInference } from './inference-plan';
import { bundledBaseModel } from './registry';

describe('inference plans with BatchNorm folded into the convolutions', () => {
  let base: LoadedBase;
  let input: tf.Tensor4D;

  beforeAll(async () => {
    await initBackend('wasm');
    base = await loadBase(bundledBaseModel('mobilenet_v2'));
    const sources = emojiSubset(['Food & Drink'], 4).items.map((i) => i.source);
    const pixels = await Promise.all(sources.map(async (s) => (await decodeImage(await s.read(), s.id, { width: 224, height: 224 })).pixels));
    input = tf.tidy(() => preprocess(stackPixels(pixels, 224, 224, 'int32'), base.descriptor));
  }, 60_000);
  afterAll(() => {
    input.dispose();
    base.layersModel?.dispose();
  });

  it.each(['flatten_1', 'block_16_project_BN', 'block_13_expand_relu'])('gives the outputs of the layers model at %s, freeing every intermediate', (node) => {
    const model = base.layersModel!;
    const plan = planInference(model, node);
    // Every conv + BatchNorm pair of MobileNetV2 up to this layer folds (52 up to the top).
    expect(plan.foldedConvolutions).toBeGreaterThan(node === 'flatten_1' ? 51 : 30);
    const before = tf.memory().numTensors;
    const folded = tf.tidy(() => plan.run(input));
    expect(tf.memory().numTensors).toBe(before + 1);
    const reference = tf.model({ inputs: model.inputs, outputs: model.getLayer(node).output as tf.SymbolicTensor }).apply(input, { training: false }) as tf.Tensor;
    expect(folded.shape).toEqual(reference.shape);
    const worst = tf.tidy(() => folded.sub(reference).abs().max().dataSync()[0]!);
    const scale = tf.tidy(() => reference.abs().max().dataSync()[0]!);
    expect(worst).toBeLessThan(scale * 1e-4);
    tf.dispose([folded, reference]);
    plan.dispose();
  });

  it('runs a graph it cannot follow (a layer called twice) as the plain model', () => {
    const shared = tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) });
    const x = tf.input({ shape: [3] });
    const model = tf.model({ inputs: x, outputs: shared.apply(shared.apply(x)) as tf.SymbolicTensor });
    const plan = planInference(model, model.layers.at(-1)!.name);
    expect(plan.foldedConvolutions).toBe(0);
    const value = tf.tensor2d([[1, 2, 3]]);
    const [a, b] = [plan.run(value), model.predict(value) as tf.Tensor];
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    tf.dispose([a, b, value]);
    model.dispose();
  });
});
