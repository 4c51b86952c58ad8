import * as tf from '@tensorflow/tfjs';
import { foldedWeights, inboundLayers } from './fold-batch-norm';

/** A frozen layers model from its input to one layer, for inference only. */
export interface InferencePlan {
  run(x: tf.Tensor): tf.Tensor;
  /** Convolutions that absorbed a BatchNormalization (and maybe their ReLU). */
  readonly foldedConvolutions: number;
  dispose(): void;
}

interface Step {
  /** Name the output is known by: the last layer the step covers. */
  name: string;
  inputs: string[];
  run(inputs: tf.Tensor[]): tf.Tensor;
}

type FusedActivation = 'linear' | 'relu' | 'relu6';

/**
 * Runs `model` up to `outputLayer` with every BatchNormalization that follows a convolution
 * folded into that convolution's weights, and a ReLU/ReLU6 right after it fused into the same
 * kernel. Layers models execute BatchNorm as its own kernel: on the Keras MobileNetV2 here it
 * took more time than all the convolutions together (FusedBatchNorm ~60 ms of ~130 ms per image
 * on wasm). Inference only: the weights are copied, folded, at planning time. Anything the plan
 * does not recognise runs as the layer itself; a graph it cannot follow (a layer called twice,
 * several inputs) runs as the plain cut model.
 */
export function planInference(model: tf.LayersModel, outputLayer: string): InferencePlan {
  const target = model.getLayer(outputLayer);
  const needed = ancestors(target);
  const layers = model.layers.filter((l) => needed.has(l));
  const callCount = (l: tf.layers.Layer) => (l as unknown as { inboundNodes: unknown[] }).inboundNodes.length;
  // A Sequential does not list its InputLayer among its layers: found among the ancestors instead.
  const inputLayer = [...needed].find((l) => l.getClassName() === 'InputLayer');
  if (!inputLayer || model.inputs.length !== 1 || layers.some((l) => l.getClassName() !== 'InputLayer' && callCount(l) !== 1)) return plainPlan(model, target);

  const consumers = new Map<tf.layers.Layer, tf.layers.Layer[]>();
  for (const layer of layers) for (const input of inboundLayers(layer)) consumers.set(input, [...(consumers.get(input) ?? []), layer]);
  const soleConsumer = (l: tf.layers.Layer) => (consumers.get(l)?.length === 1 ? consumers.get(l)![0] : undefined);

  const owned: tf.Tensor[] = [];
  const steps: Step[] = [];
  const absorbed = new Set<tf.layers.Layer>();
  let folded = 0;
  for (const layer of layers) {
    if (absorbed.has(layer) || layer.getClassName() === 'InputLayer') continue;
    const inputs = inboundLayers(layer).map((l) => l.name);
    const bn = soleConsumer(layer);
    if (isFoldableConvolution(layer) && bn?.getClassName() === 'BatchNormalization') {
      const relu = soleConsumer(bn);
      const activation = relu ? fusableActivation(relu) : undefined;
      const { filter, bias } = foldedWeights(layer, bn);
      owned.push(filter, bias);
      absorbed.add(bn);
      if (activation) absorbed.add(relu!);
      steps.push({ name: (activation ? relu! : bn).name, inputs, run: ([x]) => fusedConvolution(layer, x!, filter, bias, activation ?? 'linear') });
      folded++;
      continue;
    }
    steps.push({ name: layer.name, inputs, run: (xs) => layer.apply(xs.length === 1 ? xs[0]! : xs, { training: false }) as tf.Tensor });
  }
  const inputName = inputLayer.name;
  const outputName = steps.at(-1)?.name ?? inputName;
  // How many steps read each value, so that every intermediate is freed after its last reader.
  const readers = new Map<string, number>();
  for (const step of steps) for (const name of step.inputs) readers.set(name, (readers.get(name) ?? 0) + 1);

  return {
    foldedConvolutions: folded,
    run(x) {
      const values = new Map<string, tf.Tensor>([[inputName, x]]);
      const left = new Map(readers);
      for (const step of steps) {
        const out = tf.tidy(() => step.run(step.inputs.map((n) => values.get(n)!)));
        for (const name of step.inputs) {
          const remaining = left.get(name)! - 1;
          left.set(name, remaining);
          if (remaining === 0 && name !== inputName) values.get(name)!.dispose();
        }
        values.set(step.name, out);
      }
      return values.get(outputName)!;
    },
    dispose: () => tf.dispose(owned),
  };
}

function plainPlan(model: tf.LayersModel, target: tf.layers.Layer): InferencePlan {
  // A layer called more than once has no single output: the model's own output, or its first call.
  const isModelOutput = model.outputs.some((o) => o.sourceLayer === target);
  const cut = isModelOutput ? model : tf.model({ inputs: model.inputs, outputs: target.getOutputAt(0) as tf.SymbolicTensor });
  return { foldedConvolutions: 0, run: (x) => cut.apply(x, { training: false }) as tf.Tensor, dispose: () => undefined };
}

function ancestors(layer: tf.layers.Layer): Set<tf.layers.Layer> {
  const seen = new Set<tf.layers.Layer>();
  const stack = [layer];
  while (stack.length) {
    const l = stack.pop()!;
    if (seen.has(l)) continue;
    seen.add(l);
    stack.push(...inboundLayers(l));
  }
  return seen;
}

function isFoldableConvolution(layer: tf.layers.Layer): boolean {
  const type = layer.getClassName();
  const config = layer.getConfig() as { activation?: string; dataFormat?: string };
  return (type === 'Conv2D' || type === 'DepthwiseConv2D') && (config.activation ?? 'linear') === 'linear' && config.dataFormat !== 'channelsFirst';
}

function fusableActivation(layer: tf.layers.Layer): FusedActivation | undefined {
  const config = layer.getConfig() as { maxValue?: number | null; activation?: string };
  if (layer.getClassName() === 'ReLU') {
    if (config.maxValue === 6) return 'relu6';
    if (config.maxValue === null || config.maxValue === undefined) return 'relu';
    return undefined;
  }
  if (layer.getClassName() === 'Activation' && (config.activation === 'relu' || config.activation === 'relu6')) return config.activation;
  return undefined;
}

function fusedConvolution(conv: tf.layers.Layer, x: tf.Tensor, filter: tf.Tensor4D, bias: tf.Tensor1D, activation: FusedActivation): tf.Tensor {
  const config = conv.getConfig() as { strides: [number, number]; padding: 'same' | 'valid'; dilationRate?: number | [number, number] };
  const dilations = (config.dilationRate ?? 1) as [number, number] | number;
  if (conv.getClassName() === 'Conv2D') return tf.fused.conv2d({ x: x as tf.Tensor4D, filter, strides: config.strides, pad: config.padding, dilations, bias, activation });
  return tf.fused.depthwiseConv2d({ x: x as tf.Tensor4D, filter, strides: config.strides, pad: config.padding, dilations, bias, activation });
}
