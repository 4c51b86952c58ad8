import * as tf from '@tensorflow/tfjs';
import type { OptimizerStep } from './optimizer-step';
import { trainingLayer } from './training-layers';

/** Loss and accuracy over one pass, averaged per example. */
export interface PassMetrics {
  loss: number;
  accuracy: number;
}

/**
 * What a forward pass for the loss ends with: the logits when the model's last layer is a softmax
 * Dense (the loss then fuses softmax and cross-entropy, as Keras does for such models), else the
 * model's probabilities.
 */
export interface LossInput {
  values: tf.Tensor;
  logits: boolean;
}

/** The model's output for a batch: `forwardToLoss(model, …)` unless a caller composes its own. */
export type Forward = (x: tf.Tensor, training: boolean) => LossInput;

export interface EpochSettings {
  batchSize: number;
  forward?: Forward;
  /** Per-class loss weights (index = class), or undefined for equal weights. */
  classWeights?: readonly number[];
  signal?: AbortSignal;
  /** Called when the signal aborts mid-epoch. */
  onAbort: () => Error;
}

// Keras' clipping for categorical cross-entropy on probabilities.
const epsilon = 1e-7;

/**
 * One epoch of minibatch training in the given order, in place of `model.fit`:
 *  - each batch is gathered by index (the wasm Slice `fit` relies on copied the whole input);
 *  - Dense layers run as plain products so that backpropagation skips the input gradient of the
 *    first layer (the fused product computes it and throws it away: a third of the head's work);
 *  - Adam on wasm updates each variable in one pass (optimizer-step.ts);
 *  - loss and accuracy stay on the device until the epoch ends (one read, not one per batch);
 *  - the event loop gets a turn every ~25 ms, so that leases and Kafka heartbeats keep running.
 * The loss is categorical cross-entropy (`weightedCrossEntropy`), each example weighted by its
 * class weight, averaged over the batch: what Keras' `fit` with `classWeight` computes.
 */
export async function trainEpoch(model: tf.LayersModel, optimizer: OptimizerStep, x: tf.Tensor, y: tf.Tensor, order: Int32Array, settings: EpochSettings): Promise<PassMetrics> {
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const run = settings.forward ?? ((input: tf.Tensor, training: boolean) => forwardToLoss(model, input, training));
  const classWeights = settings.classWeights ? tf.tensor1d(settings.classWeights as number[]) : undefined;
  const totals = new PassTotals();
  let lastYield = performance.now();
  try {
    for (let start = 0; start < order.length; start += settings.batchSize) {
      if (settings.signal?.aborted) throw settings.onAbort();
      const indices = tf.tensor1d(order.subarray(start, start + settings.batchSize), 'int32');
      tf.tidy(() => {
        const xb = tf.gather(x, indices);
        const yb = tf.gather(y, indices);
        let batchCorrect: tf.Scalar | undefined;
        // The loss closure's tensors are freed by the step: the correct count is kept out of it.
        const loss = optimizer.step(() => {
          const output = run(xb, true);
          batchCorrect = tf.keep(countCorrect(yb, output.values));
          return weightedCrossEntropy(yb, output, classWeights);
        }, variables);
        totals.add(loss, indices.shape[0], batchCorrect!);
        batchCorrect!.dispose();
      });
      indices.dispose();
      if (performance.now() - lastYield > 25) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
    }
    return await totals.read(order.length);
  } finally {
    totals.dispose();
    classWeights?.dispose();
  }
}

/** Unweighted loss and accuracy in inference mode, `batchSize` examples at a time. */
export async function evaluatePass(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, batchSize: number, run: Forward = (input, training) => forwardToLoss(model, input, training)): Promise<PassMetrics> {
  const n = x.shape[0]!;
  const totals = new PassTotals();
  try {
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      tf.tidy(() => {
        const yb = y.slice(start, size);
        const output = run(x.slice(start, size), false);
        totals.add(weightedCrossEntropy(yb, output), size, countCorrect(yb, output.values));
      });
    }
    return await totals.read(n);
  } finally {
    totals.dispose();
  }
}

/** Running sums of loss × examples and of correct predictions, kept on the device until read. */
class PassTotals {
  private loss = tf.scalar(0);
  private correct = tf.scalar(0);

  /** A batch's mean loss, size and correct count; safe inside a tidy (the sums are kept). */
  add(meanLoss: tf.Scalar, examples: number, correct: tf.Scalar): void {
    const loss = tf.keep(this.loss.add(meanLoss.mul(examples)));
    const right = tf.keep(this.correct.add(correct));
    this.dispose();
    this.loss = loss as tf.Scalar;
    this.correct = right as tf.Scalar;
  }

  async read(examples: number): Promise<PassMetrics> {
    const [loss, right] = await Promise.all([this.loss.data(), this.correct.data()]);
    return { loss: loss[0]! / examples, accuracy: right[0]! / examples };
  }

  dispose(): void {
    this.loss.dispose();
    this.correct.dispose();
  }
}

/**
 * The model applied to `x`. A Sequential runs layer by layer (nested Sequentials too), with Dense
 * layers as plain products and, in training, a few layers replaced (`trainingLayer`: Dropout with
 * a new mask each call, cheaper gradients for ReLU6 and global pooling); any other model runs as
 * a whole.
 */
export function forward(model: tf.LayersModel, x: tf.Tensor, training: boolean): tf.Tensor {
  return runLayers(model, x, training, false).values;
}

/** As `forward`, but a final softmax Dense gives its logits (see `LossInput`). */
export function forwardToLoss(model: tf.LayersModel, x: tf.Tensor, training: boolean): LossInput {
  return runLayers(model, x, training, true);
}

function runLayers(model: tf.LayersModel, x: tf.Tensor, training: boolean, logitsAtEnd: boolean): LossInput {
  if (!(model instanceof tf.Sequential)) return { values: model.apply(x, { training }) as tf.Tensor, logits: false };
  let out: LossInput = { values: x, logits: false };
  model.layers.forEach((layer, i) => {
    const last = logitsAtEnd && i === model.layers.length - 1;
    if (layer instanceof tf.Sequential) out = runLayers(layer, out.values, training, last);
    else if (layer.getClassName() === 'Dense') out = denseUnfused(layer, out.values, last);
    else if (layer.getClassName() !== 'InputLayer') out = { values: (training ? trainingLayer(layer, out.values) : undefined) ?? (layer.apply(out.values, { training }) as tf.Tensor), logits: false };
  });
  return out;
}

const activations: Record<string, (t: tf.Tensor) => tf.Tensor> = {
  linear: (t) => t,
  relu: (t) => tf.relu(t),
  softmax: (t) => tf.softmax(t),
  sigmoid: (t) => tf.sigmoid(t),
  tanh: (t) => tf.tanh(t),
};

/** A Dense layer as a plain product; a softmax one may stop at its logits (`logitsAtEnd`). */
function denseUnfused(layer: tf.layers.Layer, x: tf.Tensor, logitsAtEnd: boolean): LossInput {
  const config = layer.getConfig() as { activation?: string; useBias?: boolean };
  const giveLogits = logitsAtEnd && config.activation === 'softmax' && x.rank === 2;
  const activation = giveLogits ? activations['linear'] : activations[config.activation ?? 'linear'];
  const [kernel, bias] = layer.weights.map((w) => w.read());
  if (!activation || x.rank < 2 || !kernel) return { values: layer.apply(x) as tf.Tensor, logits: false };
  // Dense over the last axis of a feature map (a 1×1 convolution): the same product on rows.
  const rows = x.rank === 2 ? x : tf.reshape(x, [-1, x.shape[x.rank - 1]!]);
  const product = tf.matMul(rows, kernel);
  const out = activation(config.useBias === false || !bias ? product : tf.add(product, bias));
  return { values: x.rank === 2 ? out : tf.reshape(out, [...x.shape.slice(0, -1), kernel.shape[1]!]), logits: giveLogits };
}

/**
 * Categorical cross-entropy per example, weighted by class and averaged over the batch; from
 * logits through `softmaxCrossEntropy`, from probabilities with Keras' clipped formula.
 */
export function weightedCrossEntropy(y: tf.Tensor, output: LossInput, classWeights?: tf.Tensor1D): tf.Scalar {
  const perExample = output.logits ? softmaxCrossEntropy(y, output.values) : clippedCrossEntropy(y, output.values);
  if (!classWeights) return tf.mean(perExample);
  return tf.mean(tf.mul(perExample, tf.sum(tf.mul(y, classWeights), -1)));
}

/**
 * Softmax then Keras' clipped cross-entropy, with the gradient written out: (softmax − labels)
 * per example, for one-hot labels. Seven kernels in all, where the softmax and clipped log
 * through the tape took ~40 a step, and tf.losses.softmaxCrossEntropy's broadcasting
 * subtractions alone took ~0.8 ms on wasm for a 256×10 batch.
 */
const softmaxCrossEntropy = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [y, logits, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  const probabilities = tf.softmax(logits);
  save([y, probabilities]);
  return {
    value: clippedLogLoss(y, probabilities),
    gradFunc: (dy: tf.Tensor, [labels, p]: tf.Tensor[]) => [tf.zerosLike(labels!), tf.mul(tf.expandDims(dy, -1), tf.sub(p!, labels!))],
  };
}) as (y: tf.Tensor, logits: tf.Tensor) => tf.Tensor;

/** Keras' categorical cross-entropy of probabilities (normalised to sum to 1), per example. */
function clippedCrossEntropy(y: tf.Tensor, probabilities: tf.Tensor): tf.Tensor {
  return clippedLogLoss(y, tf.div(probabilities, tf.sum(probabilities, -1, true)));
}

/** −Σ y · log(p), with p clipped to [ε, 1 − ε] as Keras does. */
function clippedLogLoss(y: tf.Tensor, probabilities: tf.Tensor): tf.Tensor {
  return tf.neg(tf.sum(tf.mul(y, tf.log(tf.clipByValue(probabilities, epsilon, 1 - epsilon))), -1));
}

/** Examples whose highest score (probability or logit: the same order) is their label. */
function countCorrect(y: tf.Tensor, scores: tf.Tensor): tf.Scalar {
  return tf.sum(tf.cast(tf.equal(tf.argMax(y, -1), tf.argMax(scores, -1)), 'float32'));
}
