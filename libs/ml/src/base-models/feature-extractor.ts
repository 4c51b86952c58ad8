import * as tf from '@tensorflow/tfjs';
import { loadArtifacts } from './artifacts';
import { findLayer, preprocessingKey, type BaseModelDescriptor, type ExtractableLayer } from './descriptor';
import { planInference, type InferencePlan } from './inference-plan';

/** A frozen base cut at one layer: images in, one vector per image out. */
export interface FeatureExtractor {
  readonly descriptor: BaseModelDescriptor;
  readonly layer: ExtractableLayer;
  readonly weightsHash: string;
  /** Part of the embedding cache key. */
  readonly preprocessingKey: string;
  /** `pixels`: [n, h, w, 3] in 0..255. Returns [n, layer.size]. Caller disposes the result. */
  embed(pixels: tf.Tensor4D): tf.Tensor2D;
  dispose(): void;
}

/** A loaded base model, kept whole so that fine-tuning and export can reach any layer. */
export interface LoadedBase {
  descriptor: BaseModelDescriptor;
  weightsHash: string;
  layersModel?: tf.LayersModel;
  graphModel?: tf.GraphModel;
}

export async function loadBase(descriptor: BaseModelDescriptor): Promise<LoadedBase> {
  const { artifacts, weightsHash, format } = await loadArtifacts(descriptor.source);
  if (format !== descriptor.format) throw new Error(`base model ${descriptor.id} is a ${format} model, registered as ${descriptor.format}`);
  if (format === 'graph') return { descriptor, weightsHash, graphModel: await tf.loadGraphModel(tf.io.fromMemory(artifacts)) };
  return { descriptor, weightsHash, layersModel: await tf.loadLayersModel(tf.io.fromMemory(artifacts)) };
}

/** Scales 0..255 pixels as the base expects. */
export function preprocess(pixels: tf.Tensor4D, descriptor: BaseModelDescriptor): tf.Tensor4D {
  return tf.tidy(() => {
    const floats = pixels.toFloat();
    return descriptor.preprocessing.scale === '0..1' ? floats.div(255) : floats.div(127.5).sub(1);
  });
}

function globalPool(t: tf.Tensor): tf.Tensor2D {
  if (t.rank === 2) return t as tf.Tensor2D;
  if (t.rank === 4) return t.mean([1, 2]) as tf.Tensor2D;
  if (t.rank === 3) return t.mean(1) as tf.Tensor2D;
  throw new Error(`cannot pool a rank-${t.rank} layer output into a vector`);
}

export function createFeatureExtractor(base: LoadedBase, layerId?: string): FeatureExtractor {
  const { descriptor } = base;
  const layer = findLayer(descriptor, layerId);
  let run: (x: tf.Tensor4D) => tf.Tensor;
  let plan: InferencePlan | undefined;
  if (base.graphModel) {
    const graph = base.graphModel;
    run = (x) => graph.execute(x, layer.node) as tf.Tensor;
  } else if (base.layersModel) {
    // BatchNorm folded into the convolutions (inference mode by construction), Dropout off.
    const inference = planInference(base.layersModel, layer.node);
    plan = inference;
    run = (x) => inference.run(x);
  } else {
    throw new Error(`base model ${descriptor.id} is not loaded`);
  }
  return {
    descriptor,
    layer,
    weightsHash: base.weightsHash,
    preprocessingKey: preprocessingKey(descriptor),
    embed: (pixels) =>
      tf.tidy(() => {
        const out = globalPool(run(preprocess(pixels, descriptor)));
        if (out.shape[1] !== layer.size) throw new Error(`layer ${layer.id} of ${descriptor.id} gave ${out.shape[1]} values, expected ${layer.size}`);
        return out;
      }),
    dispose: () => {
      // The plan owns only its folded copies; the base owns its own weights.
      plan?.dispose();
      base.graphModel?.dispose();
      base.layersModel?.dispose();
    },
  };
}
