import { initBackend } from '../libs/ml/src/backend/select-backend';
import { bundledBaseModel } from '../libs/ml/src/base-models/registry';
import { loadBase } from '../libs/ml/src/base-models/feature-extractor';
import { loadEmojiDataset } from '../libs/ml/src/datasets/emoji-dataset';
import { assignSplits, limitPerClass } from '../libs/ml/src/datasets/labelled-images';
import { InMemoryEmbeddingStore } from '../libs/ml/src/extraction/embedding-store';
import { trainClassifier } from '../libs/ml/src/pipeline/train-classifier';
(async () => {
  await initBackend();
  const set = assignSplits(limitPerClass(loadEmojiDataset(), Number(process.argv[3] ?? 40), 1), { validation: 0.15, test: 0.25 }, 1);
  const base = await loadBase(bundledBaseModel(process.argv[2] ?? 'mobilenet_v2'));
  const store = new InMemoryEmbeddingStore();
  const t = Date.now();
  const r = await trainClassifier(set, base, store, { fineTune: process.argv[4] === 'ft' ? { epochs: 8, unfreezeLayers: 1, learningRate: 1e-4 } : undefined, compareFromScratch: true, onEvent: (e) => { if (e.stage !== 'extraction' && e.stage !== 'head') console.log(JSON.stringify(e).slice(0, 200)); } });
  console.log('total', Date.now() - t, 'ms', r.dataset.counts, 'extraction', r.extraction.computed, r.extraction.durationMs, 'ms');
  console.log('head acc', r.head.evaluation.accuracy.toFixed(3), 'epochs', r.head.history.length, 'best', r.head.bestEpoch, r.head.durationMs, 'ms');
  if (r.fineTuned) console.log('ft acc', r.fineTuned.evaluation.accuracy.toFixed(3), 'epochs', r.fineTuned.history.length, r.fineTuned.durationMs, 'ms', r.fineTuned.cutLayer);
  console.log('scratch acc', r.fromScratch?.evaluation.accuracy.toFixed(3), r.fromScratch?.durationMs, 'ms');
})();
