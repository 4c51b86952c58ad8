import * as tf from '@tensorflow/tfjs';
import { findLayer } from '../base-models/descriptor';
import { preprocess, type LoadedBase } from '../base-models/feature-extractor';
import { combineModel } from '../export/combine';
import { fitOptionsFor, fitWithEarlyStopping, oneHotLabels, type EpochMetrics, type FitLoopResult } from '../training/fit-loop';
import { forward, forwardToLoss } from '../training/train-epoch';
import { planInference, type InferencePlan } from '../base-models/inference-plan';
import { seededRandom } from '../util/seeded-random';
import { stackPixels } from '../images/stack-pixels';
import { augmentationEnabled, augmentBatch, noAugmentation, type AugmentationOptions } from './augment';
import { buildTrainableTail, planTail } from './trainable-tail';

export interface FineTuneOptions {
  /** Weight layers (conv/dense) at the top of the base to train. */
  unfreezeLayers: number;
  learningRate: number;
  epochs: number;
  batchSize: number;
  earlyStoppingPatience: number;
  augmentation: AugmentationOptions;
  seed: number;
  /**
   * Run the frozen layers once and train on their cached output. Forced off by augmentation
   * (augmented pixels change every epoch); turn off to measure what the cache saves.
   */
  cacheCutActivations: boolean;
  classWeighting: 'balanced' | 'none';
}

export const defaultFineTuneOptions: FineTuneOptions = {
  unfreezeLayers: 1,
  learningRate: 1e-5,
  epochs: 10,
  batchSize: 16,
  earlyStoppingPatience: 3,
  augmentation: noAugmentation,
  seed: 42,
  cacheCutActivations: true,
  classWeighting: 'balanced',
};

/** Decoded images: 0..255 RGB at the base's input size, with labels. */
export interface PixelSet {
  pixels: Uint8Array[];
  labels: number[];
}

export interface FineTuneResult extends FitLoopResult {
  /**
   * Raw pixels → probabilities; what gets exported. It shares the base's layers: never
   * call model.dispose() (that would free the base too); call release().
   */
  model: tf.LayersModel;
  /** Frees what fine-tuning created (trainable tail and head copy), leaving the base intact. */
  release(): void;
  cutLayer: string;
  cachedActivations: boolean;
  options: FineTuneOptions;
}

/** Runs the frozen part of the base (inference mode) over `pixels` in batches. */
async function frozenForward(frozen: InferencePlan, base: LoadedBase, pixels: Uint8Array[], batchSize: number, augment?: (batch: tf.Tensor4D) => tf.Tensor4D): Promise<tf.Tensor> {
  const { width, height } = base.descriptor.inputSize;
  const parts: tf.Tensor[] = [];
  try {
    for (let i = 0; i < pixels.length; i += batchSize) {
      const chunk = pixels.slice(i, i + batchSize);
      parts.push(
        tf.tidy(() => {
          let batch = stackPixels(chunk, height, width, 'int32');
          if (augment) batch = augment(batch);
          return frozen.run(preprocess(batch, base.descriptor));
        }),
      );
    }
    return tf.concat(parts);
  } finally {
    parts.forEach((p) => p.dispose());
  }
}

/**
 * Fine-tunes the top `unfreezeLayers` of a layers base together with a trained head, at a low
 * learning rate with early stopping and best-weights restore. BatchNorm layers are folded into
 * their convolutions, so they stay in inference mode whatever the training flag says.
 */
export async function fineTune(
  base: LoadedBase,
  layerId: string | undefined,
  head: tf.LayersModel,
  train: PixelSet,
  validation: PixelSet | undefined,
  classCount: number,
  options: Partial<FineTuneOptions> = {},
  hooks: { onEpoch?: (m: EpochMetrics) => void | Promise<void>; signal?: AbortSignal } = {},
): Promise<FineTuneResult> {
  const opts = { ...defaultFineTuneOptions, ...options };
  const baseModel = base.layersModel;
  if (!baseModel || !base.descriptor.fineTunable) throw new Error(`base model ${base.descriptor.id} cannot be fine-tuned (extraction only); use a fine-tunable base such as mobilenet_v2`);
  if (train.pixels.length === 0) throw new Error('fine-tuning needs training images');
  const layer = findLayer(base.descriptor, layerId);
  const plan = planTail(baseModel, layer.node, opts.unfreezeLayers);
  const cutShape = (baseModel.getLayer(plan.cutLayer).output as tf.SymbolicTensor).shape as number[];
  // The frozen part runs with BatchNorm folded (inference only), in both the cached and the recomputed mode.
  const frozen = planInference(baseModel, plan.cutLayer);
  const tail = buildTrainableTail(plan, cutShape);
  // A fresh copy of the head: the head-only model stays as it was.
  const headCopy = await tf.models.modelFromJSON({ modelTopology: head.toJSON(null, false) } as unknown as tf.io.ModelJSON);
  headCopy.setWeights(head.getWeights());
  const input = tf.input({ shape: cutShape.slice(1) });
  const trainable = tf.model({ inputs: input, outputs: headCopy.apply(tail.apply(input)) as tf.SymbolicTensor });
  // A new optimizer at a low learning rate: the recompile the recipe asks for.
  trainable.compile({ optimizer: tf.train.adam(opts.learningRate), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  const augmenting = augmentationEnabled(opts.augmentation);
  const cached = opts.cacheCutActivations && !augmenting;
  const random = seededRandom(opts.seed + 7);
  const y = oneHotLabels(train.labels, classCount);
  const x = await frozenForward(frozen, base, train.pixels, opts.batchSize);
  const val = validation && validation.pixels.length > 0 ? ([await frozenForward(frozen, base, validation.pixels, opts.batchSize), oneHotLabels(validation.labels, classCount)] as [tf.Tensor, tf.Tensor]) : undefined;
  try {
    const result = await fitWithEarlyStopping(trainable, x, y, val, {
      ...fitOptionsFor(opts, train.labels, classCount, hooks),
      forward: (input, training) => forwardToLoss(headCopy, forward(tail, input, training), training),
      // Without the cache the frozen layers run again every epoch (on fresh augmentations if any).
      ...(cached ? {} : { epochInputs: (epoch: number) => (epoch === 0 && !augmenting ? Promise.resolve(x.clone()) : frozenForward(frozen, base, train.pixels, opts.batchSize, augmenting ? (b) => augmentBatch(b, opts.augmentation, random) : undefined)) }),
    });
    const model = combineModel(base, layer, headCopy, tail, plan.cutLayer);
    const release = () => {
      tail.dispose();
      headCopy.dispose();
    };
    return { ...result, model, release, cutLayer: plan.cutLayer, cachedActivations: cached, options: opts };
  } finally {
    frozen.dispose();
    trainable.optimizer.dispose();
    x.dispose();
    y.dispose();
    val?.forEach((t) => t.dispose());
  }
}
