import * as tf from '@tensorflow/tfjs';
import { foldedWeights, inboundLayers } from '../base-models/fold-batch-norm';

/** Layers from the cut point up to the embedding layer, in forward order. */
export interface TailPlan {
  /** Layer whose output is cached; the tail starts after it. */
  cutLayer: string;
  layers: tf.layers.Layer[];
  /** How many weight layers (conv/dense) the tail trains. */
  trainableLayers: number;
}

const weightLayerTypes = new Set(['Conv2D', 'DepthwiseConv2D', 'Dense']);

/**
 * Walks down from `topLayer` while the graph is a single chain (no residual adds or concats)
 * and returns the tail holding the top `unfreeze` weight layers. Throws, naming the limit,
 * when the chain holds fewer.
 */
export function planTail(model: tf.LayersModel, topLayer: string, unfreeze: number): TailPlan {
  const chain: tf.layers.Layer[] = [];
  let current: tf.layers.Layer | undefined = model.getLayer(topLayer);
  while (current) {
    const inbound = inboundLayers(current);
    if (inbound.length !== 1 || current.getClassName() === 'InputLayer') break;
    chain.unshift(current);
    current = inbound[0];
  }
  const weightIdx = chain.map((l, i) => (weightLayerTypes.has(l.getClassName()) ? i : -1)).filter((i) => i >= 0);
  if (unfreeze < 1 || unfreeze > weightIdx.length) {
    throw new Error(`can unfreeze 1 to ${weightIdx.length} layer(s) at the top of this base (its top is a plain chain only that far), got ${unfreeze}`);
  }
  const start = weightIdx[weightIdx.length - unfreeze]!;
  const cut = inboundLayers(chain[start]!)[0]!;
  return { cutLayer: cut.name, layers: chain.slice(start), trainableLayers: unfreeze };
}

/**
 * Rebuilds the tail as new, trainable layers with BatchNorm folded into the preceding
 * convolution (so it can never run in training mode), and 1×1 stride-1 convolutions as
 * Dense layers over channels (same maths; their gradients exist on every backend).
 */
export function buildTrainableTail(plan: TailPlan, inputShape: number[]): tf.LayersModel {
  // A Sequential: the training loop runs it layer by layer (Dense as plain products).
  const tail = tf.sequential({ name: 'trainable_tail', layers: [tf.layers.inputLayer({ inputShape: inputShape.slice(1), name: 'cut_activations' })] });
  const toSet: { layer: tf.layers.Layer; weights: tf.Tensor[] }[] = [];
  for (let i = 0; i < plan.layers.length; i++) {
    const layer = plan.layers[i]!;
    const type = layer.getClassName();
    const config = layer.getConfig() as Record<string, unknown>;
    const next = plan.layers[i + 1];
    const foldBn = next?.getClassName() === 'BatchNormalization' ? next : undefined;
    if (type === 'Conv2D' || type === 'DepthwiseConv2D') {
      const { filter, bias } = foldedWeights(layer, foldBn);
      const outChannels = bias.shape[0];
      const kernelSize = config['kernelSize'] as [number, number];
      const strides = config['strides'] as [number, number];
      const pointwise = type === 'Conv2D' && kernelSize.every((k) => k === 1) && strides.every((s) => s === 1);
      let created: tf.layers.Layer;
      let kernel: tf.Tensor = filter;
      if (pointwise) {
        created = tf.layers.dense({ units: outChannels, name: `ft_${layer.name}` });
        kernel = filter.reshape([filter.shape[2], outChannels]);
        filter.dispose();
      } else if (type === 'Conv2D') {
        created = tf.layers.conv2d({ filters: outChannels, kernelSize, strides, padding: config['padding'] as 'same' | 'valid', dilationRate: config['dilationRate'] as [number, number], name: `ft_${layer.name}` });
      } else {
        created = tf.layers.depthwiseConv2d({ kernelSize, strides, padding: config['padding'] as 'same' | 'valid', depthMultiplier: config['depthMultiplier'] as number, name: `ft_${layer.name}` });
      }
      tail.add(created);
      toSet.push({ layer: created, weights: [kernel, bias] });
      if (foldBn) i++;
    } else if (type === 'Dense') {
      const created = tf.layers.dense({ units: config['units'] as number, activation: config['activation'] as 'relu', useBias: config['useBias'] as boolean, name: `ft_${layer.name}` });
      tail.add(created);
      toSet.push({ layer: created, weights: layer.getWeights().map((w) => w.clone()) });
    } else if (type === 'ReLU') {
      tail.add(tf.layers.reLU({ maxValue: config['maxValue'] as number, name: `ft_${layer.name}` }));
    } else if (type === 'Activation') {
      tail.add(tf.layers.activation({ activation: config['activation'] as 'relu', name: `ft_${layer.name}` }));
    } else if (type === 'AveragePooling2D' || type === 'GlobalAveragePooling2D') {
      const out = layer.outputShape as number[];
      if (type === 'AveragePooling2D' && (out[1] !== 1 || out[2] !== 1)) throw new Error(`${layer.name} pools to ${out[1]}×${out[2]}, not globally: unsupported in the unfrozen top`);
      tail.add(tf.layers.globalAveragePooling2d({ name: `ft_${layer.name}` }));
      // A 7×7 average pool over a 7×7 map is global pooling: the following Flatten is a no-op.
      if (plan.layers[i + 1]?.getClassName() === 'Flatten') i++;
    } else if (type === 'Flatten') {
      tail.add(tf.layers.flatten({ name: `ft_${layer.name}` }));
    } else if (type === 'BatchNormalization') {
      throw new Error(`BatchNormalization ${layer.name} does not follow a convolution: cannot fold it`);
    } else {
      throw new Error(`fine-tuning does not support layer ${layer.name} (${type}) in the unfrozen top`);
    }
  }
  for (const { layer, weights } of toSet) {
    layer.setWeights(weights);
    weights.forEach((w) => w.dispose());
  }
  return tail;
}
