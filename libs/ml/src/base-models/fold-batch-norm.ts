import * as tf from '@tensorflow/tfjs';

/** Layers feeding `layer` (its first call). inboundNodes is internal in the typings but stable across tfjs-layers 4.x. */
export function inboundLayers(layer: tf.layers.Layer): tf.layers.Layer[] {
  const nodes = (layer as unknown as { inboundNodes: { inboundLayers: tf.layers.Layer[] }[] }).inboundNodes;
  return nodes.flatMap((n) => n.inboundLayers);
}

/** BatchNorm in inference mode is a per-channel affine map: scale and shift. */
export function batchNormAffine(bn: tf.layers.Layer): { scale: tf.Tensor1D; shift: tf.Tensor1D } {
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
 * A convolution's weights with the BatchNormalization after it folded in (`bn` absent: copies of
 * its own weights, with a zero bias when it has none). Conv2D kernels are [h, w, in, out];
 * depthwise ones [h, w, in, multiplier], output channel = in × multiplier.
 */
export function foldedWeights(conv: tf.layers.Layer, bn?: tf.layers.Layer): { filter: tf.Tensor4D; bias: tf.Tensor1D } {
  return tf.tidy(() => {
    const [kernel, bias] = conv.getWeights() as [tf.Tensor4D, tf.Tensor1D | undefined];
    const depthwise = conv.getClassName() !== 'Conv2D';
    if (!bn) return { filter: kernel.clone(), bias: bias ? bias.clone() : tf.zeros([depthwise ? kernel.shape[2] * kernel.shape[3] : kernel.shape[3]]) };
    const { scale, shift } = batchNormAffine(bn);
    const perOutput = depthwise ? scale.reshape([1, 1, kernel.shape[2], kernel.shape[3]]) : scale;
    const filter = kernel.mul(perOutput) as tf.Tensor4D;
    const foldedBias = (bias ? bias.mul(scale).add(shift) : shift) as tf.Tensor1D;
    return { filter, bias: foldedBias };
  });
}
