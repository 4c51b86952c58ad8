import * as tf from '@tensorflow/tfjs';
import { fitOptionsFor, fitWithEarlyStopping, makeOptimizer, oneHotLabels, type EpochMetrics, type FitLoopResult } from './fit-loop';
import { assertTrainable, stratifiedSplit, type LabelledVectors } from './labelled-data';

export interface HeadOptions {
  hiddenUnits: number[];
  dropout: number;
  optimizer: 'adam' | 'sgd' | 'rmsprop';
  learningRate: number;
  /** 'auto': about 32 steps an epoch, between 32 and 512 examples (`autoBatchSize`). */
  batchSize: number | 'auto';
  epochs: number;
  earlyStoppingPatience: number;
  classWeighting: 'balanced' | 'none';
  seed: number;
  /** Used when no validation set is given. */
  validationFraction: number;
}

export const defaultHeadOptions: HeadOptions = {
  hiddenUnits: [128],
  dropout: 0.3,
  optimizer: 'adam',
  learningRate: 1e-3,
  batchSize: 'auto',
  epochs: 50,
  earlyStoppingPatience: 8,
  classWeighting: 'balanced',
  seed: 42,
  validationFraction: 0.2,
};

export interface TrainedHead extends FitLoopResult {
  model: tf.LayersModel;
  classNames: string[];
  inputSize: number;
  options: HeadOptions;
}

/**
 * About 32 optimiser steps an epoch, in powers of two from 32 to 512. Small datasets (the
 * product's usual case: a few hundred examples) keep Keras' 32; on 8,000 embeddings a batch of
 * 256 does the epoch in 32 steps instead of 250, each step costing little more than a small one
 * (measured: 20 epochs over 8,000 vectors took 14.6 s at 256 against 110 s at 32).
 */
export function autoBatchSize(examples: number): number {
  let size = 32;
  while (size < 512 && size * 32 < examples) size *= 2;
  return size;
}

/** Dense layers on top of an embedding: the last has one unit per class. */
export function buildHead(inputSize: number, classCount: number, options: Pick<HeadOptions, 'hiddenUnits' | 'dropout' | 'seed'>, name = 'head'): tf.Sequential {
  const model = tf.sequential({ name });
  options.hiddenUnits.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        units,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: options.seed + i }),
        name: `${name}_dense_${i}`,
        ...(i === 0 ? { inputShape: [inputSize] } : {}),
      }),
    );
    if (options.dropout > 0) model.add(tf.layers.dropout({ rate: options.dropout, seed: options.seed + 100 + i, name: `${name}_dropout_${i}` }));
  });
  model.add(
    tf.layers.dense({
      units: classCount,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: options.seed + 1000 }),
      name: `${name}_output`,
      ...(options.hiddenUnits.length === 0 ? { inputShape: [inputSize] } : {}),
    }),
  );
  return model;
}

export function toTensors(data: LabelledVectors): [tf.Tensor2D, tf.Tensor2D] {
  const dim = data.vectors[0]?.length ?? 0;
  const flat = new Float32Array(data.vectors.length * dim);
  data.vectors.forEach((v, i) => flat.set(v, i * dim));
  const x = tf.tensor2d(flat, [data.vectors.length, dim]);
  const y = oneHotLabels(data.labels, data.classNames.length);
  return [x, y];
}

/** Trains a classification head on cached embeddings. */
export async function trainHead(
  train: LabelledVectors,
  options: Partial<HeadOptions> = {},
  hooks: { validation?: LabelledVectors; onEpoch?: (m: EpochMetrics) => void | Promise<void>; signal?: AbortSignal } = {},
): Promise<TrainedHead> {
  const opts = { ...defaultHeadOptions, ...options };
  assertTrainable(train);
  let fitData = train;
  let validation = hooks.validation;
  if (!validation || validation.vectors.length === 0) {
    const split = stratifiedSplit(train, opts.validationFraction, opts.seed);
    fitData = split.train;
    validation = split.validation.vectors.length > 0 ? split.validation : undefined;
  }
  const inputSize = train.vectors[0]!.length;
  const model = buildHead(inputSize, train.classNames.length, opts);
  model.compile({ optimizer: makeOptimizer(opts.optimizer, opts.learningRate), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const [x, y] = toTensors(fitData);
  const val = validation ? toTensors(validation) : undefined;
  try {
    const batchSize = opts.batchSize === 'auto' ? autoBatchSize(fitData.vectors.length) : opts.batchSize;
    const result = await fitWithEarlyStopping(model, x, y, val, fitOptionsFor({ ...opts, batchSize }, fitData.labels, train.classNames.length, hooks));
    // The batch size actually used, so that a model's recorded settings never say 'auto'.
    return { ...result, model, classNames: train.classNames, inputSize, options: { ...opts, batchSize } };
  } finally {
    // The model does not own an optimizer passed in as an instance: free Adam's moments here.
    model.optimizer.dispose();
    x.dispose();
    y.dispose();
    val?.forEach((t) => t.dispose());
  }
}
