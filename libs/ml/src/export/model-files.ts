import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadArtifacts } from '../base-models/artifacts';

/** Writes `model` as TF.js `model.json` + `weights.bin` in `dir` (no tfjs-node needed). */
export async function saveLayersModel(model: tf.LayersModel, dir: string, metadata: Record<string, unknown> = {}): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = artifacts.weightData instanceof ArrayBuffer ? artifacts.weightData : tf.io.concatenateArrayBuffers(artifacts.weightData as ArrayBuffer[]);
      writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(weightData));
      const modelJson = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: 'tern',
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
        userDefinedMetadata: metadata,
      };
      writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weightData.byteLength } };
    }),
  );
}

/** Loads a model saved by saveLayersModel (or any TF.js layers model directory) with tf.loadLayersModel. */
export async function loadLayersModelFromDir(dir: string): Promise<tf.LayersModel> {
  const { artifacts } = await loadArtifacts({ kind: 'path', modelJsonPath: path.join(dir, 'model.json') });
  return tf.loadLayersModel({ load: async () => artifacts });
}
