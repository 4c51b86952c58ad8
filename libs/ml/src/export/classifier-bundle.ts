import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { findLayer, type BaseModelDescriptor } from '../base-models/descriptor';
import { createFeatureExtractor, loadBase, type LoadedBase } from '../base-models/feature-extractor';
import { bundledBaseModel } from '../base-models/registry';
import type { ImageSource } from '../extraction/extract-embeddings';
import { decodeImage } from '../images/decode-image';
import { combineModel } from './combine';
import { loadLayersModelFromDir, saveLayersModel } from './model-files';

/** tern.json: what a trained model is and how to feed it. */
export interface ClassifierMetadata {
  format: 'tern-classifier/v1';
  labels: string[];
  kind: 'head' | 'fine_tuned';
  baseModel: { id: string; version: string; weightsHash: string; layer: string; provenance: string };
  inputSize: { width: number; height: number };
  preprocessing: BaseModelDescriptor['preprocessing'];
  /** Embedding size the head takes. */
  embeddingSize: number;
  /** model/ holds the whole classifier (pixels in) when the base is a layers model. */
  hasFullModel: boolean;
  metrics?: Record<string, unknown>;
  createdAt: string;
}

export interface Prediction {
  id: string;
  top: { label: string; probability: number }[];
}

export interface PredictionFailure {
  id: string;
  error: string;
}

/**
 * Writes a classifier directory: `head/` (embeddings in), `model/` (pixels in, when the base
 * is a layers model: reloads with tf.loadLayersModel alone) and `tern.json`.
 */
export async function saveClassifier(dir: string, opts: { base: LoadedBase; layerId: string; head: tf.LayersModel; labels: string[]; kind: 'head' | 'fine_tuned'; fullModel?: tf.LayersModel; metrics?: Record<string, unknown> }): Promise<ClassifierMetadata> {
  const layer = findLayer(opts.base.descriptor, opts.layerId);
  const d = opts.base.descriptor;
  const full = opts.fullModel ?? (opts.base.layersModel && opts.kind === 'head' ? combineModel(opts.base, layer, opts.head) : undefined);
  const metadata: ClassifierMetadata = {
    format: 'tern-classifier/v1',
    labels: opts.labels,
    kind: opts.kind,
    baseModel: { id: d.id, version: d.version, weightsHash: opts.base.weightsHash, layer: layer.id, provenance: d.provenance },
    inputSize: d.inputSize,
    preprocessing: d.preprocessing,
    embeddingSize: layer.size,
    hasFullModel: Boolean(full),
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    createdAt: new Date().toISOString(),
  };
  mkdirSync(dir, { recursive: true });
  const userMeta = { labels: metadata.labels, baseModel: metadata.baseModel, inputSize: metadata.inputSize, preprocessing: 'rescaling layer inside the model: feed 0..255 RGB' };
  // The fine-tuned model's own head differs from the head-only one; head/ then holds the pre-fine-tuning head.
  await saveLayersModel(opts.head, path.join(dir, 'head'), { labels: metadata.labels, input: `${layer.size}-d embedding from ${d.id}/${layer.id}` });
  if (full) await saveLayersModel(full, path.join(dir, 'model'), userMeta);
  writeFileSync(path.join(dir, 'tern.json'), `${JSON.stringify(metadata, null, 2)}\n`);
  return metadata;
}

export interface LoadedClassifier {
  metadata: ClassifierMetadata;
  predictImages(sources: readonly ImageSource[], topK?: number): Promise<(Prediction | PredictionFailure)[]>;
  predictEmbeddings(vectors: readonly Float32Array[], topK?: number): Promise<Prediction[]>;
  dispose(): void;
}

function topK(probs: Float32Array, labels: string[], k: number): { label: string; probability: number }[] {
  return Array.from(probs)
    .map((p, i) => ({ label: labels[i]!, probability: p }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, Math.min(k, labels.length));
}

/**
 * Loads a directory written by saveClassifier. `describeBase` finds the base of a head-only model
 * (one whose base is a graph model) by id: bundled bases by default; services pass one that also
 * knows user-registered bases.
 */
export async function loadClassifier(dir: string, describeBase: (id: string) => BaseModelDescriptor | Promise<BaseModelDescriptor> = bundledBaseModel): Promise<LoadedClassifier> {
  const metaFile = path.join(dir, 'tern.json');
  if (!existsSync(metaFile)) throw new Error(`${dir} is not a Tern model (no tern.json)`);
  const metadata = JSON.parse(readFileSync(metaFile, 'utf8')) as ClassifierMetadata;
  if (metadata.format !== 'tern-classifier/v1') throw new Error(`${metaFile}: unsupported format ${String(metadata.format)}`);
  const head = await loadLayersModelFromDir(path.join(dir, 'head'));
  const full = metadata.hasFullModel ? await loadLayersModelFromDir(path.join(dir, 'model')) : undefined;
  let extractorBase: LoadedBase | undefined;
  const { width, height } = metadata.inputSize;
  const n = metadata.labels.length;

  const embedWithBase = async (pixels: tf.Tensor4D): Promise<tf.Tensor> => {
    if (!extractorBase) {
      const descriptor = await describeBase(metadata.baseModel.id);
      extractorBase = await loadBase(descriptor);
      if (extractorBase.weightsHash !== metadata.baseModel.weightsHash) throw new Error(`base model ${descriptor.id} differs from the one this model was trained on (weights hash mismatch)`);
    }
    const embedding = createFeatureExtractor(extractorBase, metadata.baseModel.layer).embed(pixels);
    const probs = head.predict(embedding) as tf.Tensor;
    embedding.dispose();
    return probs;
  };

  return {
    metadata,
    async predictImages(sources, k = 3) {
      const out: (Prediction | PredictionFailure)[] = [];
      for (const source of sources) {
        try {
          const decoded = await decodeImage(await source.read(), source.id, { width, height });
          const pixels = tf.tensor4d(decoded.pixels, [1, height, width, 3], 'int32').toFloat() as tf.Tensor4D;
          const probs = full ? (full.predict(pixels) as tf.Tensor) : await embedWithBase(pixels);
          pixels.dispose();
          const data = (await probs.data()) as Float32Array;
          probs.dispose();
          out.push({ id: source.id, top: topK(data, metadata.labels, k) });
        } catch (error) {
          out.push({ id: source.id, error: (error as Error).message });
        }
      }
      return out;
    },
    async predictEmbeddings(vectors, k = 3) {
      const bad = vectors.findIndex((v) => v.length !== metadata.embeddingSize);
      if (bad >= 0) throw new Error(`embedding ${bad} has ${vectors[bad]!.length} values; this model takes ${metadata.embeddingSize}`);
      const flat = new Float32Array(vectors.length * metadata.embeddingSize);
      vectors.forEach((v, i) => flat.set(v, i * metadata.embeddingSize));
      const probs = tf.tidy(() => head.predict(tf.tensor2d(flat, [vectors.length, metadata.embeddingSize])) as tf.Tensor);
      const data = (await probs.data()) as Float32Array;
      probs.dispose();
      return vectors.map((_, i) => ({ id: String(i), top: topK(data.subarray(i * n, (i + 1) * n), metadata.labels, k) }));
    },
    dispose() {
      head.dispose();
      full?.dispose();
      extractorBase?.graphModel?.dispose();
      extractorBase?.layersModel?.dispose();
    },
  };
}
