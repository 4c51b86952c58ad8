import * as tf from '@tensorflow/tfjs';
import { loadArtifacts } from './artifacts';
import type { BaseModelDescriptor, BaseModelSource, ExtractableLayer, Preprocessing } from './descriptor';

export interface CustomModelOptions {
  id: string;
  displayName?: string;
  preprocessing?: Preprocessing;
  /** Layers model: layer to extract by default (default: the layer before the last Dense). Graph model: node name (required). */
  layer?: string;
  /** Graph models: embedding size at `layer`. */
  embeddingSize?: number;
  /** Graph models: input size (layers models declare theirs). */
  inputSize?: { width: number; height: number };
}

const poolable = (shape: (number | null)[]) => shape.length === 2 || shape.length === 4;

/**
 * Builds a descriptor for a user's TF.js model (model.json + weights, from a path or URL).
 * Layers models list every layer with a vector or feature-map output as extractable and can be
 * fine-tuned; graph models are extraction-only at the node given. The weights hash is the version.
 */
export async function describeCustomModel(source: Exclude<BaseModelSource, { kind: 'bundled-nsfwjs' }>, options: CustomModelOptions): Promise<BaseModelDescriptor> {
  const { artifacts, weightsHash, format } = await loadArtifacts(source);
  const common = {
    id: options.id,
    version: `sha256-${weightsHash.slice(0, 16)}`,
    displayName: options.displayName ?? options.id,
    preprocessing: options.preprocessing ?? { colorSpace: 'rgb' as const, scale: '0..1' as const },
    source,
    provenance: `user-supplied model (${source.kind === 'path' ? source.modelJsonPath : source.modelJsonUrl}), weights sha256 ${weightsHash.slice(0, 16)}…`,
  };
  if (format === 'graph') {
    if (!options.layer || !options.embeddingSize || !options.inputSize) throw new Error(`graph model ${options.id}: give layer (node name), embeddingSize and inputSize`);
    return { ...common, format, inputSize: options.inputSize, layers: [{ id: 'custom', node: options.layer, size: options.embeddingSize, description: 'user-chosen node' }], defaultLayer: 'custom', fineTunable: false };
  }
  const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  try {
    const input = model.inputs[0]!.shape;
    if (input.length !== 4 || input[3] !== 3 || !input[1] || !input[2]) throw new Error(`model ${options.id} must take [batch, height, width, 3] images, takes ${JSON.stringify(input)}`);
    const layers: ExtractableLayer[] = model.layers
      .filter((l) => l.getClassName() !== 'InputLayer' && poolable(l.outputShape as (number | null)[]))
      .map((l) => {
        const shape = l.outputShape as number[];
        return { id: l.name, node: l.name, size: shape[shape.length - 1]!, description: `${l.getClassName()} output ${JSON.stringify(shape.slice(1))}` };
      });
    const denseIdx = model.layers.map((l) => l.getClassName()).lastIndexOf('Dense');
    const fallback = model.layers[denseIdx > 0 ? denseIdx - 1 : model.layers.length - 1]!.name;
    const defaultLayer = options.layer ?? fallback;
    if (!layers.some((l) => l.id === defaultLayer)) throw new Error(`model ${options.id} has no extractable layer "${defaultLayer}"`);
    return { ...common, format, inputSize: { width: input[2], height: input[1] }, layers, defaultLayer, fineTunable: true };
  } finally {
    model.dispose();
  }
}
