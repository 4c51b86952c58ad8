import * as tf from '@tensorflow/tfjs';
import type { LoadedBase } from '../base-models/feature-extractor';
import type { ExtractableLayer } from '../base-models/descriptor';

/**
 * One layers model from raw pixels to class probabilities: rescaling as the base expects,
 * the base up to `cutLayer`, optional trainable tail, global pooling, head.
 */
export function combineModel(base: LoadedBase, layer: ExtractableLayer, head: tf.LayersModel, tail?: tf.LayersModel, cutLayerName = layer.node): tf.LayersModel {
  const model = base.layersModel;
  if (!model) throw new Error(`base ${base.descriptor.id} is a graph model: only the head can be exported as a layers model`);
  const { width, height } = base.descriptor.inputSize;
  const input = tf.input({ shape: [height, width, 3], name: 'pixels' });
  const scale = base.descriptor.preprocessing.scale === '0..1' ? { scale: 1 / 255, offset: 0 } : { scale: 1 / 127.5, offset: -1 };
  const scaled = tf.layers.rescaling({ ...scale, name: 'preprocess' }).apply(input) as tf.SymbolicTensor;
  const cut = tf.model({ inputs: model.inputs, outputs: model.getLayer(cutLayerName).output as tf.SymbolicTensor, name: 'base' });
  let features = cut.apply(scaled) as tf.SymbolicTensor;
  if (tail) features = tail.apply(features) as tf.SymbolicTensor;
  if (features.shape.length === 4) features = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(features) as tf.SymbolicTensor;
  else if (features.shape.length !== 2) features = tf.layers.flatten({ name: 'flatten' }).apply(features) as tf.SymbolicTensor;
  const output = head.apply(features) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'tern_classifier' });
}
