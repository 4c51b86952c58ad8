import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/select-backend';
import { createFeatureExtractor, loadBase, preprocess, type LoadedBase } from '../base-models/feature-extractor';
import { bundledBaseModel } from '../base-models/registry';
import { decodeForTraining } from '../pipeline/decode-set';
import { itemsOf } from '../datasets/labelled-images';
import { emojiSubset } from '../testing';
import { buildHead } from '../training/train-head';
import { fineTune } from './fine-tune';
import { buildTrainableTail, planTail } from './trainable-tail';

describe('fine-tuning the Keras MobileNetV2 (wasm)', () => {
  let base: LoadedBase;
  beforeAll(async () => {
    await initBackend('wasm');
    base = await loadBase(bundledBaseModel('mobilenet_v2'));
  }, 60_000);

  it.each([1, 3])('with %i layer(s) unfrozen, the rebuilt tail (BatchNorm folded) reproduces the frozen base exactly', async (unfreeze) => {
    const model = base.layersModel!;
    const plan = planTail(model, 'flatten_1', unfreeze);
    const frozen = tf.model({ inputs: model.inputs, outputs: model.getLayer(plan.cutLayer).output as tf.SymbolicTensor });
    const tail = buildTrainableTail(plan, frozen.outputs[0]!.shape as number[]);
    const pixels = tf.randomUniform([2, 224, 224, 3], 0, 255, 'float32', 5) as tf.Tensor4D;
    const expected = createFeatureExtractor(base).embed(pixels);
    const cut = frozen.predict(preprocess(pixels, base.descriptor)) as tf.Tensor;
    // training: true must not change anything: no BatchNorm is left to switch mode.
    const inTraining = tail.apply(cut, { training: true }) as tf.Tensor;
    const diff = (await tf.max(tf.abs(tf.sub(inTraining, expected))).data())[0]!;
    expect(diff).toBeLessThan(1e-3);
    expect(tail.layers.some((l) => l.getClassName() === 'BatchNormalization')).toBe(false);
    tf.dispose([pixels, expected, cut, inTraining]);
  }, 60_000);

  it('names the limit when asked to unfreeze past the top chain', () => {
    expect(() => planTail(base.layersModel!, 'flatten_1', 50)).toThrow(/can unfreeze 1 to 4 layer\(s\)/);
  });

  it('fine-tunes trainable conv layers on real images, keeping the best epoch and exporting pixels → probabilities', async () => {
    const set = emojiSubset(['Flags', 'Smileys & Emotion'], 6, 3, { validation: 0.34, test: 0 });
    const train = await decodeForTraining(itemsOf(set, 'train'), set.classNames, { width: 224, height: 224 });
    const validation = await decodeForTraining(itemsOf(set, 'validation'), set.classNames, { width: 224, height: 224 });
    const head = buildHead(1280, 2, { hiddenUnits: [], dropout: 0, seed: 1 });
    const epochs: number[] = [];
    // 3 layers: Conv_1 and block_16_project (1×1, trained as Dense) and block_16_depthwise, a 3×3
    // depthwise conv whose gradient kernels wasm lacks: they run through the cpu delegation.
    const result = await fineTune(base, undefined, head, train, validation, 2, { unfreezeLayers: 3, epochs: 2, learningRate: 1e-4, batchSize: 4 }, { onEpoch: (m) => void epochs.push(m.epoch) });
    expect(tf.getBackend()).toBe('wasm');
    expect(result.cutLayer).toBe('block_16_expand_relu');
    expect(result.cachedActivations).toBe(true);
    expect(epochs).toEqual([0, 1]);
    expect(result.history.every((h) => Number.isFinite(h.loss))).toBe(true);
    const probs = result.model.predict(tf.tensor4d(train.pixels[0]!, [1, 224, 224, 3], 'float32')) as tf.Tensor;
    const values = Array.from(await probs.data());
    expect(values).toHaveLength(2);
    expect(values[0]! + values[1]!).toBeCloseTo(1, 4);

    // The exported model shares the base's layers: releasing fine-tuning's own parts leaves the base usable.
    result.release();
    const again = createFeatureExtractor(base).embed(tf.zeros([1, 224, 224, 3]) as tf.Tensor4D);
    expect(again.shape).toEqual([1, 1280]);
    again.dispose();
  }, 180_000);

  it('refuses a base that cannot be fine-tuned', async () => {
    const graph = await loadBase(bundledBaseModel('mobilenet_v2_mid'));
    await expect(fineTune(graph, undefined, buildHead(1792, 2, { hiddenUnits: [], dropout: 0, seed: 1 }), { pixels: [new Uint8Array(224 * 224 * 3)], labels: [0] }, undefined, 2)).rejects.toThrow(/cannot be fine-tuned/);
  }, 60_000);
});
