import type { BaseModelDescriptor } from './descriptor';

const nsfwProvenance =
  'ImageNet-pretrained network partly fine-tuned by the nsfwjs project for a 5-class content task; its classification head is removed. Features are general but not pure ImageNet features.';

const graphPrefix = 'StatefulPartitionedCall/sequential/keras_layer/StatefulPartitionedCall/StatefulPartitionedCall/StatefulPartitionedCall/predict';

/** Bases shipped inside the npm package `nsfwjs`, usable offline. */
export const bundledBaseModels: readonly BaseModelDescriptor[] = [
  {
    id: 'mobilenet_v2_mid',
    version: 'nsfwjs-4.4.0',
    displayName: 'MobileNetV2 α1.4 feature vector (graph)',
    format: 'graph',
    inputSize: { width: 224, height: 224 },
    preprocessing: { colorSpace: 'rgb', scale: '0..1' },
    layers: [
      { id: 'feature_vector', node: `${graphPrefix}/feature_vector/SpatialSqueeze`, size: 1792, description: 'global-pooled final features (default)' },
      { id: 'block_16', node: `${graphPrefix}/MobilenetV2/expanded_conv_16/project/BatchNorm/FusedBatchNormV3`, size: 448, description: 'last inverted-residual block, pooled' },
      { id: 'block_13', node: `${graphPrefix}/MobilenetV2/expanded_conv_13/project/BatchNorm/FusedBatchNormV3`, size: 224, description: 'earlier block, pooled: for domains far from photos' },
    ],
    defaultLayer: 'feature_vector',
    fineTunable: false,
    source: { kind: 'bundled-nsfwjs', directory: 'mobilenet_v2_mid' },
    provenance: nsfwProvenance,
  },
  {
    id: 'mobilenet_v2',
    version: 'nsfwjs-4.4.0',
    displayName: 'MobileNetV2 α1.0 (Keras layers, fine-tunable)',
    format: 'layers',
    inputSize: { width: 224, height: 224 },
    preprocessing: { colorSpace: 'rgb', scale: '0..1' },
    layers: [
      { id: 'global_pool', node: 'flatten_1', size: 1280, description: 'global-pooled final features (default)' },
      { id: 'block_16', node: 'block_16_project_BN', size: 320, description: 'last block before Conv_1, pooled' },
      { id: 'block_13', node: 'block_13_expand_relu', size: 576, description: 'earlier block, pooled: for domains far from photos' },
    ],
    defaultLayer: 'global_pool',
    fineTunable: true,
    source: { kind: 'bundled-nsfwjs', directory: 'mobilenet_v2' },
    provenance: `${nsfwProvenance} Weights are uint8-quantized.`,
  },
  {
    id: 'inception_v3',
    version: 'nsfwjs-4.4.0',
    displayName: 'InceptionV3 (Keras layers)',
    format: 'layers',
    inputSize: { width: 299, height: 299 },
    preprocessing: { colorSpace: 'rgb', scale: '0..1' },
    layers: [
      { id: 'global_pool', node: 'flatten_1', size: 2048, description: 'global-pooled final features (default)' },
      { id: 'mixed7', node: 'mixed7', size: 768, description: 'earlier block, pooled' },
    ],
    defaultLayer: 'global_pool',
    fineTunable: true,
    source: { kind: 'bundled-nsfwjs', directory: 'inception_v3' },
    provenance: nsfwProvenance,
  },
];

export function bundledBaseModel(id: string): BaseModelDescriptor {
  const found = bundledBaseModels.find((m) => m.id === id);
  if (!found) throw new Error(`unknown base model "${id}" (bundled: ${bundledBaseModels.map((m) => m.id).join(', ')})`);
  return found;
}
