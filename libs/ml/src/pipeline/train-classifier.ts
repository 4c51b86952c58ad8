import type * as tf from '@tensorflow/tfjs';
import { activeBackend } from '../backend/select-backend';
import { findLayer } from '../base-models/descriptor';
import { createFeatureExtractor, type LoadedBase } from '../base-models/feature-extractor';
import { itemsOf, type LabelledImageSet, type SplitName } from '../datasets/labelled-images';
import { evaluateModel, type Evaluation } from '../evaluation/evaluate';
import type { EmbeddingStore } from '../extraction/embedding-store';
import { extractEmbeddings, type ExtractionProgress } from '../extraction/extract-embeddings';
import { createWorkerPoolEmbedder } from '../extraction/worker-pool';
import { fineTune, type FineTuneOptions, type FineTuneResult } from '../finetune/fine-tune';
import type { EpochMetrics } from '../training/fit-loop';
import type { LabelledVectors } from '../training/labelled-data';
import { toTensors, trainHead, type HeadOptions, type TrainedHead } from '../training/train-head';
import { evaluateOnPixels } from '../evaluation/evaluate-pixels';
import { decodeForTraining } from './decode-set';
import { trainFromScratch } from './from-scratch';

export type PipelineEvent =
  | { stage: 'extraction'; progress: ExtractionProgress }
  | { stage: 'head' | 'fine_tune'; epoch: EpochMetrics; totalEpochs: number }
  | { stage: 'evaluation' | 'from_scratch' | 'decode'; message: string };

export interface TrainClassifierOptions {
  layer?: string;
  head?: Partial<HeadOptions>;
  /** Omit to skip fine-tuning. */
  fineTune?: Partial<FineTuneOptions>;
  compareFromScratch?: boolean;
  extractionBatchSize?: number;
  /** Worker threads for extraction (each runs its own backend); 1 = in this thread. */
  extractionWorkers?: number;
  onEvent?: (event: PipelineEvent) => void;
  signal?: AbortSignal;
}

export interface StageSummary {
  evaluation: Evaluation;
  history: EpochMetrics[];
  bestEpoch: number;
  stoppedEarly: boolean;
  durationMs: number;
}

export interface TrainClassifierResult {
  backend: string;
  baseModel: { id: string; version: string; weightsHash: string; layer: string; provenance: string };
  dataset: { name: string; note?: string; classNames: string[]; counts: Record<SplitName, number> };
  extraction: { computed: number; reused: number; failed: { id: string; reason: string }[]; durationMs: number };
  head: StageSummary & { model: tf.LayersModel; options: HeadOptions };
  fineTuned?: StageSummary & { model: tf.LayersModel; release: () => void; cutLayer: string; cachedActivations: boolean; options: FineTuneOptions };
  fromScratch?: { evaluation: Evaluation; durationMs: number };
}

function vectorsOf(set: LabelledImageSet, split: SplitName, vectors: Map<string, Float32Array>): LabelledVectors {
  const items = itemsOf(set, split).filter((i) => vectors.has(i.source.id));
  return { vectors: items.map((i) => vectors.get(i.source.id)!), labels: items.map((i) => set.classNames.indexOf(i.label)), classNames: set.classNames };
}

/**
 * The three stages on a dataset whose items carry splits: embeddings (cached in `store`),
 * head training, evaluation on the test split; optionally fine-tuning and a from-scratch
 * baseline on the same split.
 */
export async function trainClassifier(set: LabelledImageSet, base: LoadedBase, store: EmbeddingStore, options: TrainClassifierOptions = {}): Promise<TrainClassifierResult> {
  const emit = options.onEvent ?? (() => undefined);
  const layer = findLayer(base.descriptor, options.layer);
  const counts = { train: itemsOf(set, 'train').length, validation: itemsOf(set, 'validation').length, test: itemsOf(set, 'test').length };
  if (counts.test === 0) throw new Error('the dataset has no test split: assign splits first');
  // Fail before the slow stages, not after them.
  if (options.fineTune && (!base.layersModel || !base.descriptor.fineTunable)) {
    throw new Error(`base model ${base.descriptor.id} cannot be fine-tuned (extraction only); use a fine-tunable base such as mobilenet_v2`);
  }

  const workers = options.extractionWorkers ?? 1;
  const pool = workers > 1 ? await createWorkerPoolEmbedder(base.descriptor, layer.id, workers, activeBackend().name) : undefined;
  let extraction: Awaited<ReturnType<typeof extractEmbeddings>>;
  try {
    extraction = await extractEmbeddings(
      set.items.map((i) => i.source),
      pool ?? createFeatureExtractor(base, layer.id),
      store,
      { batchSize: options.extractionBatchSize ?? 16, onProgress: (progress) => emit({ stage: 'extraction', progress }), ...(options.signal ? { signal: options.signal } : {}) },
    );
  } finally {
    await pool?.close();
  }

  const train = vectorsOf(set, 'train', extraction.vectors);
  const validation = vectorsOf(set, 'validation', extraction.vectors);
  const test = vectorsOf(set, 'test', extraction.vectors);
  const headEpochs = options.head?.epochs ?? 50;
  const head: TrainedHead = await trainHead(train, options.head, {
    ...(validation.vectors.length > 0 ? { validation } : {}),
    onEpoch: (epoch) => emit({ stage: 'head', epoch, totalEpochs: headEpochs }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  emit({ stage: 'evaluation', message: 'evaluating head on the test split' });
  const [xt, yt] = toTensors(test);
  yt.dispose();
  const headEvaluation = await evaluateModel(head.model, xt, test.labels, set.classNames);
  xt.dispose();

  const result: TrainClassifierResult = {
    backend: activeBackend().name,
    baseModel: { id: base.descriptor.id, version: base.descriptor.version, weightsHash: base.weightsHash, layer: layer.id, provenance: base.descriptor.provenance },
    dataset: { name: set.name, ...(set.note ? { note: set.note } : {}), classNames: set.classNames, counts },
    extraction: { computed: extraction.computed, reused: extraction.reused, failed: extraction.failed, durationMs: extraction.durationMs },
    head: { evaluation: headEvaluation, history: head.history, bestEpoch: head.bestEpoch, stoppedEarly: head.stoppedEarly, durationMs: head.durationMs, model: head.model, options: head.options },
  };

  const needPixels = options.fineTune || options.compareFromScratch;
  if (needPixels) {
    emit({ stage: 'decode', message: 'decoding images for pixel-level training' });
    const size = base.descriptor.inputSize.width;
    const pixels = {
      train: await decodeForTraining(itemsOf(set, 'train'), set.classNames, base.descriptor.inputSize),
      validation: await decodeForTraining(itemsOf(set, 'validation'), set.classNames, base.descriptor.inputSize),
      test: await decodeForTraining(itemsOf(set, 'test'), set.classNames, base.descriptor.inputSize),
    };
    if (options.fineTune) {
      const ftEpochs = options.fineTune.epochs ?? 10;
      const ft: FineTuneResult = await fineTune(base, layer.id, head.model, pixels.train, pixels.validation, set.classNames.length, options.fineTune, {
        onEpoch: (epoch) => emit({ stage: 'fine_tune', epoch, totalEpochs: ftEpochs }),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      emit({ stage: 'evaluation', message: 'evaluating fine-tuned model on the test split' });
      const evaluation = await evaluateOnPixels(ft.model, pixels.test, base.descriptor.inputSize, set.classNames);
      result.fineTuned = { evaluation, history: ft.history, bestEpoch: ft.bestEpoch, stoppedEarly: ft.stoppedEarly, durationMs: ft.durationMs, model: ft.model, release: ft.release, cutLayer: ft.cutLayer, cachedActivations: ft.cachedActivations, options: ft.options };
    }
    if (options.compareFromScratch) {
      emit({ stage: 'from_scratch', message: 'training a small MLP from scratch on the same split' });
      result.fromScratch = await trainFromScratch(pixels.train, pixels.validation, pixels.test, set.classNames, size, options.head?.seed ?? 42);
    }
  }
  return result;
}
