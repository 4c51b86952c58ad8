import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  activeBackend, describeBackend, assignSplits, bundledBaseModel, comparisonTable, confusionTable, evaluationTable, initBackend, limitPerClass, loadBase, loadCsvDataset,
  loadEmojiDataset, loadFashionMnist, loadFolderDataset, LocalEmbeddingStore, parseBackendName, renderHtmlReport, saveClassifier, trainClassifier,
  type ComparisonRow, type LabelledImageSet, type PipelineEvent,
} from '@tern/ml';
import type { TrainArgs } from '../args';
import { ProgressBar } from '../progress';

function loadDataset(args: TrainArgs): LabelledImageSet {
  const s = args.source;
  if (s.kind === 'folder') return loadFolderDataset(s.dir);
  if (s.kind === 'csv') return loadCsvDataset(s.file);
  if (s.name === 'emoji') return loadEmojiDataset();
  return loadFashionMnist(args.perClass ?? 100, Math.max(10, Math.round((args.perClass ?? 100) / 2)));
}

export async function trainCommand(args: TrainArgs, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const backend = await initBackend(parseBackendName(args.backend ?? process.env['TERN_TF_BACKEND']));
  out.write(`backend: ${describeBackend(backend)}${backend.skipped.length ? ` (faster ones unavailable: ${backend.skipped.map((s) => s.name).join(', ')})` : ''}\n`);
  let set = loadDataset(args);
  // Fashion-MNIST's loader already takes --per-class; every other source is trimmed here.
  const loaderLimits = args.source.kind === 'builtin' && args.source.name === 'fashion-mnist';
  if (args.perClass && !loaderLimits) set = limitPerClass(set, args.perClass, args.seed);
  set = assignSplits(set, { validation: args.val, test: args.test }, args.seed);
  const counts = set.classNames.map((c) => `${c} ${set.items.filter((i) => i.label === c).length}`);
  out.write(`dataset: ${set.name}, ${set.items.length} images, ${set.classNames.length} classes (${counts.join(', ')})\n`);
  const descriptor = bundledBaseModel(args.base);
  out.write(`base: ${descriptor.displayName}. ${descriptor.provenance}\n`);
  const base = await loadBase(descriptor);

  const bars = new Map<string, ProgressBar>();
  const bar = (name: string) => bars.get(name) ?? bars.set(name, new ProgressBar(name)).get(name)!;
  const onEvent = (e: PipelineEvent) => {
    if (e.stage === 'extraction') bar('embeddings').update(e.progress.done, e.progress.total, `(${e.progress.reused} cached, ${e.progress.failed} failed)`);
    else if ('epoch' in e) {
      const m = e.epoch;
      bar(e.stage === 'head' ? 'head' : 'fine-tune').update(m.epoch + 1, e.totalEpochs, `loss ${m.loss.toFixed(3)} val ${m.valLoss?.toFixed(3) ?? '-'} acc ${(m.accuracy * 100).toFixed(0)}% val ${m.valAccuracy !== undefined ? (m.valAccuracy * 100).toFixed(0) : '-'}%`);
    } else {
      bars.forEach((b) => b.finish());
      bars.clear();
      process.stderr.write(`${e.message}\n`);
    }
  };
  const result = await trainClassifier(set, base, new LocalEmbeddingStore(args.cache), {
    ...(args.layer ? { layer: args.layer } : {}),
    head: { epochs: args.epochs, hiddenUnits: args.hidden, dropout: args.dropout, learningRate: args.lr, ...(args.batchSize ? { batchSize: args.batchSize } : {}), seed: args.seed },
    ...(args.fineTune ? { fineTune: { unfreezeLayers: args.unfreeze, learningRate: args.ftLr, epochs: args.ftEpochs, seed: args.seed, augmentation: args.augment ? { horizontalFlip: true, cropFraction: 0.85, brightness: 0.15 } : { horizontalFlip: false, cropFraction: 1, brightness: 0 } } } : {}),
    compareFromScratch: args.scratch,
    // cpu runs one thread: a worker per core uses the machine. wasm workers share the cores out (each
    // runs wasm on its share; measured as fast as one process on every core). Native TensorFlow threads itself.
    extractionWorkers: args.workers ?? (backend.name === 'wasm' || backend.name === 'cpu' ? os.availableParallelism() : 1),
    onEvent,
  });
  bars.forEach((b) => b.finish());

  const ex = result.extraction;
  out.write(`\nembeddings: ${ex.computed} computed, ${ex.reused} reused from cache, ${ex.failed.length} failed (${(ex.durationMs / 1000).toFixed(1)} s)\n`);
  for (const f of ex.failed.slice(0, 20)) out.write(`  skipped ${f.id}: ${f.reason}\n`);
  out.write(`split: ${result.dataset.counts.train} train, ${result.dataset.counts.validation} validation, ${result.dataset.counts.test} test\n\n`);
  out.write(`Head on ${result.baseModel.id}/${result.baseModel.layer} (best epoch ${result.head.bestEpoch + 1} of ${result.head.history.length}${result.head.stoppedEarly ? ', stopped early' : ''}):\n${evaluationTable(result.head.evaluation)}\n\n`);
  const final = result.fineTuned ?? result.head;
  if (result.fineTuned) out.write(`Fine-tuned (${result.fineTuned.options.unfreezeLayers} layer(s) unfrozen from ${result.fineTuned.cutLayer} up, activations ${result.fineTuned.cachedActivations ? 'cached' : 'recomputed each epoch'}):\n${evaluationTable(result.fineTuned.evaluation)}\n\n`);
  out.write(`Confusion matrix (${result.fineTuned ? 'fine-tuned' : 'head'}):\n${confusionTable(final.evaluation)}\n\n`);
  const rows: ComparisonRow[] = [{ model: `transfer: head on ${result.baseModel.id}`, evaluation: result.head.evaluation, durationMs: result.head.durationMs }];
  if (result.fineTuned) rows.push({ model: 'transfer: + fine-tuning', evaluation: result.fineTuned.evaluation, durationMs: result.fineTuned.durationMs });
  if (result.fromScratch) rows.push({ model: 'from scratch: MLP on 32×32 pixels', evaluation: result.fromScratch.evaluation, durationMs: result.fromScratch.durationMs });
  out.write(`Comparison on the same test split:\n${comparisonTable(rows, 1 / set.classNames.length)}\n`);
  out.write(`Note: ${result.baseModel.provenance}\n`);

  mkdirSync(args.out, { recursive: true });
  await saveClassifier(args.out, {
    base,
    layerId: result.baseModel.layer,
    head: result.head.model,
    labels: set.classNames,
    kind: result.fineTuned ? 'fine_tuned' : 'head',
    ...(result.fineTuned ? { fullModel: result.fineTuned.model } : {}),
    metrics: { testAccuracy: final.evaluation.accuracy, macroF1: final.evaluation.macroF1, backend: activeBackend().name },
  });
  const report = renderHtmlReport({
    title: `Tern model: ${set.name}`,
    subtitle: `${set.classNames.length} classes, base ${result.baseModel.id}/${result.baseModel.layer}, backend ${result.backend}`,
    notes: [result.baseModel.provenance, ...(set.note ? [set.note] : [])],
    stages: [{ name: 'Head', history: result.head.history, evaluation: result.head.evaluation }, ...(result.fineTuned ? [{ name: 'Fine-tuned', history: result.fineTuned.history, evaluation: result.fineTuned.evaluation }] : [])],
    comparison: rows.map((r) => ({ model: r.model, accuracy: r.evaluation.accuracy })).concat([{ model: 'chance', accuracy: 1 / set.classNames.length }]),
  });
  writeFileSync(path.join(args.out, 'report.html'), report);
  out.write(`\nwrote ${path.join(args.out, 'tern.json')}, ${result.fineTuned || base.layersModel ? 'model/ (pixels in), ' : ''}head/ and report.html\n`);
}
