import * as tf from '@tensorflow/tfjs';
import { seededRandom, shuffled } from '../util/seeded-random';
import { balancedClassWeights } from './labelled-data';

export interface EpochMetrics {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss?: number;
  valAccuracy?: number;
  durationMs: number;
}

export interface FitLoopOptions {
  epochs: number;
  batchSize: number;
  /** Epochs without improvement of the monitored loss before stopping (0 = never stop early). */
  patience: number;
  seed: number;
  classWeight?: Record<number, number>;
  onEpoch?: (metrics: EpochMetrics) => void | Promise<void>;
  signal?: AbortSignal;
  /** Fresh inputs for each epoch, in the order of `y` (data augmentation). Defaults to `x`. */
  epochInputs?: (epoch: number) => Promise<tf.Tensor>;
}

export interface FitLoopResult {
  history: EpochMetrics[];
  /** Epoch whose weights the model holds at the end (best monitored loss). */
  bestEpoch: number;
  stoppedEarly: boolean;
  durationMs: number;
}

export class TrainingCancelledError extends Error {
  constructor() {
    super('training cancelled');
    this.name = 'TrainingCancelledError';
  }
}

/**
 * Trains one epoch at a time on a seeded shuffle (tf's own shuffle is not seedable), watches
 * validation loss (training loss without validation data), stops after `patience` epochs
 * without improvement and restores the best epoch's weights.
 */
export async function fitWithEarlyStopping(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, validation: [tf.Tensor, tf.Tensor] | undefined, options: FitLoopOptions): Promise<FitLoopResult> {
  const started = Date.now();
  const random = seededRandom(options.seed);
  const n = x.shape[0] as number;
  const history: EpochMetrics[] = [];
  let best: { loss: number; epoch: number; weights: tf.Tensor[] } | undefined;
  let stoppedEarly = false;
  try {
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      if (options.signal?.aborted) throw new TrainingCancelledError();
      const epochStart = Date.now();
      const order = tf.tensor1d(shuffled(Array.from({ length: n }, (_, i) => i), random), 'int32');
      const epochX = options.epochInputs ? await options.epochInputs(epoch) : x;
      const xs = tf.gather(epochX, order);
      const ys = tf.gather(y, order);
      order.dispose();
      if (epochX !== x) epochX.dispose();
      let fitted: tf.History;
      try {
        fitted = await model.fit(xs, ys, {
          epochs: 1,
          batchSize: options.batchSize,
          shuffle: false,
          verbose: 0,
          ...(validation ? { validationData: validation } : {}),
          ...(options.classWeight ? { classWeight: options.classWeight } : {}),
        });
      } finally {
        xs.dispose();
        ys.dispose();
      }
      const h = fitted.history as Record<string, number[]>;
      const metrics: EpochMetrics = {
        epoch,
        loss: h['loss']![0]!,
        accuracy: (h['acc'] ?? h['accuracy'])![0]!,
        ...(validation ? { valLoss: h['val_loss']![0]!, valAccuracy: (h['val_acc'] ?? h['val_accuracy'])![0]! } : {}),
        durationMs: Date.now() - epochStart,
      };
      history.push(metrics);
      await options.onEpoch?.(metrics);
      const monitored = metrics.valLoss ?? metrics.loss;
      if (!best || monitored < best.loss - 1e-6) {
        best?.weights.forEach((w) => w.dispose());
        best = { loss: monitored, epoch, weights: model.getWeights().map((w) => w.clone()) };
      } else if (options.patience > 0 && epoch - best.epoch >= options.patience) {
        stoppedEarly = true;
        break;
      }
    }
    if (best) model.setWeights(best.weights);
    return { history, bestEpoch: best?.epoch ?? -1, stoppedEarly, durationMs: Date.now() - started };
  } finally {
    best?.weights.forEach((w) => w.dispose());
  }
}

/** Fit-loop settings shared by head training and fine-tuning. */
export function fitOptionsFor(
  o: { epochs: number; batchSize: number; earlyStoppingPatience: number; seed: number; classWeighting: 'balanced' | 'none' },
  labels: readonly number[],
  classCount: number,
  hooks: { onEpoch?: (m: EpochMetrics) => void | Promise<void>; signal?: AbortSignal },
): FitLoopOptions {
  return {
    epochs: o.epochs,
    batchSize: o.batchSize,
    patience: o.earlyStoppingPatience,
    seed: o.seed,
    ...(o.classWeighting === 'balanced' ? { classWeight: balancedClassWeights(labels, classCount) } : {}),
    ...(hooks.onEpoch ? { onEpoch: hooks.onEpoch } : {}),
    ...(hooks.signal ? { signal: hooks.signal } : {}),
  };
}

/** Integer labels as a one-hot float tensor [n, classCount]. */
export function oneHotLabels(labels: readonly number[], classCount: number): tf.Tensor2D {
  return tf.tidy(() => tf.oneHot(tf.tensor1d(labels as number[], 'int32'), classCount).toFloat()) as tf.Tensor2D;
}

export function makeOptimizer(name: 'adam' | 'sgd' | 'rmsprop', learningRate: number): tf.Optimizer {
  if (name === 'sgd') return tf.train.momentum(learningRate, 0.9);
  if (name === 'rmsprop') return tf.train.rmsprop(learningRate);
  return tf.train.adam(learningRate);
}
