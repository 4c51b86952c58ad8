import * as tf from '@tensorflow/tfjs';

/** Layers from the cut point up to the embedding layer, in forward order. */
export interface TailPlan {
  /** Layer whose output is cached; the tail starts after it. */
  cutLayer: string;
  layers: tf.layers.Layer[];
  /** How many weight layers (conv/dense) the tail trains. */
  trainableLayers: number;
}

const weightLayerTypes = new Set(['Conv2D', 'DepthwiseConv2D', 'Dense']);

function inboundLayers(layer: tf.layers.Layer): tf.layers.Layer[] {
  // inboundNodes is internal in the typings but stable across tfjs-layers 4.x.
  const nodes = (layer as unknown as { inboundNodes: { inboundLayers: tf.layers.Layer[] }[] }).inboundNodes;
  return nodes.flatMap((n) => n.inboundLayers);
}

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

/** BatchNorm in inference mode is a per-channel affine map: scale and shift. */
function batchNormAffine(bn: tf.layers.Layer): { scale: tf.Tensor1D; shift: tf.Tensor1D } {
  return tf.tidy(() => {
    const config = bn.getConfig() as { scale?: boolean; center?: boolean; epsilon?: number };
    const weights = bn.getWeights();
    let i = 0;
    const gamma = config.scale !== false ? weights[i++]! : undefined;
    const beta = config.center !== false ? weights[i++]! : undefined;
    const mean = weights[i++]!;
    const variance = weights[i++]!;
    const inv = tf.rsqrt(variance.add(config.epsilon ?? 1e-3));
    const scale = gamma ? gamma.mul(inv) : inv;
    const shift = (beta ?? tf.zerosLike(mean)).sub(mean.mul(scale));
    return { scale: scale as tf.Tensor1D, shift: shift as tf.Tensor1D };
  });
}

/**
 * Rebuilds the tail as new, trainable layers with BatchNorm folded into the preceding
 * convolution (so it can never run in training mode), and 1×1 stride-1 convolutions as
 * Dense layers over channels (same maths; their gradients exist on every backend).
 */
export function buildTrainableTail(plan: TailPlan, inputShape: number[]): tf.LayersModel {
  const input = tf.input({ shape: inputShape.slice(1), name: 'cut_activations' });
  let x: tf.SymbolicTensor = input;
  const toSet: { layer: tf.layers.Layer; weights: tf.Tensor[] }[] = [];
  for (let i = 0; i < plan.layers.length; i++) {
    const layer = plan.layers[i]!;
    const type = layer.getClassName();
    const config = layer.getConfig() as Record<string, unknown>;
    const next = plan.layers[i + 1];
    const foldBn = next?.getClassName() === 'BatchNormalization' ? next : undefined;
    if (type === 'Conv2D' || type === 'DepthwiseConv2D') {
      const [kernel, bias] = layer.getWeights();
      const outChannels = type === 'Conv2D' ? kernel!.shape[3]! : kernel!.shape[2]! * kernel!.shape[3]!;
      const affine = foldBn ? batchNormAffine(foldBn) : { scale: tf.ones([outChannels]) as tf.Tensor1D, shift: tf.zeros([outChannels]) as tf.Tensor1D };
      const b = bias ?? tf.zeros([outChannels]);
      const foldedBias = b.mul(affine.scale).add(affine.shift);
      const kernelSize = config['kernelSize'] as [number, number];
      const strides = config['strides'] as [number, number];
      const pointwise = type === 'Conv2D' && kernelSize.every((k) => k === 1) && strides.every((s) => s === 1);
      let created: tf.layers.Layer;
      let foldedKernel: tf.Tensor;
      if (pointwise) {
        created = tf.layers.dense({ units: outChannels, name: `ft_${layer.name}` });
        foldedKernel = kernel!.reshape([kernel!.shape[2]!, outChannels]).mul(affine.scale);
      } else if (type === 'Conv2D') {
        created = tf.layers.conv2d({ filters: outChannels, kernelSize, strides, padding: config['padding'] as 'same' | 'valid', dilationRate: config['dilationRate'] as [number, number], name: `ft_${layer.name}` });
        foldedKernel = kernel!.mul(affine.scale);
      } else {
        created = tf.layers.depthwiseConv2d({ kernelSize, strides, padding: config['padding'] as 'same' | 'valid', depthMultiplier: config['depthMultiplier'] as number, name: `ft_${layer.name}` });
        foldedKernel = kernel!.mul(affine.scale.reshape([1, 1, kernel!.shape[2]!, kernel!.shape[3]!]));
      }
      x = created.apply(x) as tf.SymbolicTensor;
      toSet.push({ layer: created, weights: [foldedKernel, foldedBias] });
      affine.scale.dispose();
      affine.shift.dispose();
      if (!bias) b.dispose();
      if (foldBn) i++;
    } else if (type === 'Dense') {
      const created = tf.layers.dense({ units: config['units'] as number, activation: config['activation'] as 'relu', useBias: config['useBias'] as boolean, name: `ft_${layer.name}` });
      x = created.apply(x) as tf.SymbolicTensor;
      toSet.push({ layer: created, weights: layer.getWeights().map((w) => w.clone()) });
    } else if (type === 'ReLU') {
      x = tf.layers.reLU({ maxValue: config['maxValue'] as number, name: `ft_${layer.name}` }).apply(x) as tf.SymbolicTensor;
    } else if (type === 'Activation') {
      x = tf.layers.activation({ activation: config['activation'] as 'relu', name: `ft_${layer.name}` }).apply(x) as tf.SymbolicTensor;
    } else if (type === 'AveragePooling2D' || type === 'GlobalAveragePooling2D') {
      const out = layer.outputShape as number[];
      if (type === 'AveragePooling2D' && (out[1] !== 1 || out[2] !== 1)) throw new Error(`${layer.name} pools to ${out[1]}×${out[2]}, not globally: unsupported in the unfrozen top`);
      x = tf.layers.globalAveragePooling2d({ name: `ft_${layer.name}` }).apply(x) as tf.SymbolicTensor;
      // A 7×7 average pool over a 7×7 map is global pooling: the following Flatten is a no-op.
      if (plan.layers[i + 1]?.getClassName() === 'Flatten') i++;
    } else if (type === 'Flatten') {
      x = tf.layers.flatten({ name: `ft_${layer.name}` }).apply(x) as tf.SymbolicTensor;
    } else if (type === 'BatchNormalization') {
      throw new Error(`BatchNormalization ${layer.name} does not follow a convolution: cannot fold it`);
    } else {
      throw new Error(`fine-tuning does not support layer ${layer.name} (${type}) in the unfrozen top`);
    }
  }
  const tail = tf.model({ inputs: input, outputs: x, name: 'trainable_tail' });
  for (const { layer, weights } of toSet) {
    layer.setWeights(weights);
    weights.forEach((w) => w.dispose());
  }
  return tail;
}
