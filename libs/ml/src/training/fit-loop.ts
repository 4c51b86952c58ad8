import * as tf from '@tensorflow/tfjs';
import { seededRandom, shuffled } from '../util/seeded-random';
import { balancedClassWeights } from './labelled-data';
import { optimizerStep } from './optimizer-step';
import { evaluatePass, trainEpoch, type Forward, type PassMetrics } from './train-epoch';

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
  /** The model's output, when it is composed of parts (fine-tuning: tail then head). */
  forward?: Forward;
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
 * Trains one epoch at a time (`trainEpoch`) on a seeded shuffle (tf's own shuffle is not seedable), watches
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
  const classCount = y.shape[1] as number;
  const classWeights = options.classWeight ? Array.from({ length: classCount }, (_, c) => options.classWeight![c] ?? 1) : undefined;
  const stepper = optimizerStep(model.optimizer);
  try {
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      if (options.signal?.aborted) throw new TrainingCancelledError();
      const epochStart = Date.now();
      const order = Int32Array.from(shuffled(Array.from({ length: n }, (_, i) => i), random));
      const epochX = options.epochInputs ? await options.epochInputs(epoch) : x;
      let trained: PassMetrics;
      try {
        trained = await trainEpoch(model, stepper, epochX, y, order, {
          batchSize: options.batchSize,
          ...(options.forward ? { forward: options.forward } : {}),
          ...(classWeights ? { classWeights } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
          onAbort: () => new TrainingCancelledError(),
        });
      } finally {
        if (epochX !== x) epochX.dispose();
      }
      const validated = validation ? await evaluatePass(model, validation[0], validation[1], Math.max(options.batchSize, 256), options.forward) : undefined;
      const metrics: EpochMetrics = {
        epoch,
        loss: trained.loss,
        accuracy: trained.accuracy,
        ...(validated ? { valLoss: validated.loss, valAccuracy: validated.accuracy } : {}),
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
    stepper.dispose();
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
