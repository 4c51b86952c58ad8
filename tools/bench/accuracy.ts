// `npm run accuracy`: what transfer learning buys on real data, written to docs/ACCURACY.md.
// Head-only (two layers), fine-tuned and from-scratch models on the same splits, at 10 and 100 images per class.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  assignSplits, bundledBaseModel, initBackend, InMemoryEmbeddingStore, limitPerClass, loadBase, loadEmojiDataset, loadFashionMnist, trainClassifier,
  type LabelledImageSet, type LoadedBase,
} from '@tern/ml';

interface Result {
  dataset: string;
  perClass: number;
  split: string;
  model: string;
  accuracy: number;
  macroF1: number;
}

const results: Result[] = [];
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

async function run(set: LabelledImageSet, perClass: number, bases: { mid: LoadedBase; keras: LoadedBase }): Promise<void> {
  const counts = { train: set.items.filter((i) => i.split === 'train').length, validation: set.items.filter((i) => i.split === 'validation').length, test: set.items.filter((i) => i.split === 'test').length };
  const split = `${counts.train}/${counts.validation}/${counts.test}`;
  const add = (model: string, e: { accuracy: number; macroF1: number }) => {
    results.push({ dataset: set.name, perClass, split, model, accuracy: e.accuracy, macroF1: e.macroF1 });
    process.stdout.write(`${set.name.padEnd(20)} ${String(perClass).padStart(4)}/class  ${model.padEnd(52)} ${pct(e.accuracy)}\n`);
  };
  const head = { epochs: 100, earlyStoppingPatience: 10, learningRate: 3e-3, seed: 1 };
  const store = new InMemoryEmbeddingStore();
  const mid = await trainClassifier(set, bases.mid, store, { head, compareFromScratch: true });
  add('head on mobilenet_v2_mid / feature_vector (1792-d)', mid.head.evaluation);
  const early = await trainClassifier(set, bases.mid, store, { head, layer: 'block_13' });
  add('head on mobilenet_v2_mid / block_13 (224-d, earlier layer)', early.head.evaluation);
  const keras = await trainClassifier(set, bases.keras, store, { head, fineTune: { unfreezeLayers: 1, epochs: 8, learningRate: 1e-4, earlyStoppingPatience: 3, seed: 1 } });
  add('head on mobilenet_v2 / global_pool (1280-d)', keras.head.evaluation);
  add('  + fine-tuned (Conv_1 unfrozen, lr 1e-4, 8 epochs max)', keras.fineTuned!.evaluation);
  add('from scratch: MLP on 32×32 pixels', mid.fromScratch!.evaluation);
  add('chance', { accuracy: 1 / set.classNames.length, macroF1: 0 });
  [mid, early, keras].forEach((r) => r.head.model.dispose());
  keras.fineTuned?.release();
}

async function main(): Promise<void> {
  const backend = await initBackend();
  const bases = { mid: await loadBase(bundledBaseModel('mobilenet_v2_mid')), keras: await loadBase(bundledBaseModel('mobilenet_v2')) };
  const started = Date.now();
  for (const perClass of [10, 100]) {
    await run(assignSplits(limitPerClass(loadEmojiDataset(), perClass, 3), { validation: 0.15, test: 0.25 }, 3), perClass, bases);
    // Fashion-MNIST: perClass training images (15% of them for validation), 30 test images per class from its own test file.
    await run(assignSplits(loadFashionMnist(perClass, 30), { validation: 0.15, test: 0 }, 3), perClass, bases);
  }
  const table = ['| dataset | images/class | train/val/test | model | test accuracy | macro-F1 |', '|---|---|---|---|---|---|', ...results.map((r) => `| ${r.dataset} | ${r.perClass} | ${r.split} | ${r.model.trim()} | ${pct(r.accuracy)} | ${r.model === 'chance' ? '' : pct(r.macroF1)} |`)].join('\n');
  const doc = `# Accuracy: what transfer learning buys

Produced by \`npm run accuracy\` (\`tools/bench/accuracy.ts\`, about ${Math.round((Date.now() - started) / 60000)} minutes here) on ${new Date().toISOString().slice(0, 10)},
backend ${backend.name}, ${os.cpus().length} cores. Seeds are fixed: a rerun gives the same splits and initialisations.

**Bases.** The bundled bases are ImageNet networks that the nsfwjs project partly fine-tuned for a
5-class content task, with that head removed. Their features are general, but they are not pure
ImageNet features.

**Datasets.**
* *twemoji-categories*: 64-px Twemoji PNGs (npm \`emoji-datasource-twitter\`, images CC-BY-4.0),
  labelled with 4 emoji.json categories (Animals & Nature, Food & Drink, Smileys & Emotion,
  Travel & Places). Splits are by emoji, so no test emoji is seen in training.
* *fashion-mnist*: 28×28 grey clothing images (Debian \`dataset-fashion-mnist\`), 10 classes.
  Training images come from its training file, test images from its test file (30 per class).

${table}

## What this shows

Observed in the run recorded above (rerun to check on your machine). At 10 images per class the Twemoji
test set has 12 images, so its rows are mostly noise.

* **Transfer pays off on Twemoji at 100 images per class.** Heads on MobileNetV2 α1.4 features
  reach 66% (final features) and 70% (block_13) on 4 classes (chance 25%); the from-scratch MLP
  reaches 51%.
* **On Fashion-MNIST it barely does.** At 10 per class the from-scratch MLP (73.0%) beats every
  transfer model (61.7 to 67.0%); at 100 per class the best transfer head edges it (82.7% vs 81.3%),
  and the Keras MobileNetV2 heads stay below it (77.0 and 78.3%). 28×28 grey clothing is far from
  the photographs these bases learned from, and their features transfer poorly, as the notes this
  project started from warned. Try a simple model before assuming transfer helps.
* **The layer can matter.** The earlier block (\`--layer block_13\`, 224-d) beat the final features on
  Twemoji at 100 per class (70.0% vs 66.0%) and trailed them on Fashion-MNIST (65.3% vs 67.0% at 10
  per class, 81.0% vs 82.7% at 100). With test sets of 100 and 300 images, gaps of a few points are
  within noise: compare layers on your own validation data.
* **Fine-tuning changed little here.** Training Conv_1 (BatchNorm folded, lr 1e-4, at most 8 epochs
  with early stopping) moved the Keras MobileNetV2 from 63.0% to 64.0% on Twemoji at 100 per class,
  from 61.7% to 62.0% on Fashion-MNIST at 10 and from 78.3% to 77.0% at 100; on Twemoji at 10 per
  class (12 test images) it changed nothing. An earlier run of this script, whose head dropout
  repeated one mask every step (a TF.js behaviour Tern now works around), saw +7 points on Twemoji
  at 100: with these few epochs at this learning rate, the gain is not reliable.
`;
  writeFileSync(path.join(__dirname, '../../docs/ACCURACY.md'), doc);
  process.stdout.write('\nwrote docs/ACCURACY.md\n');
}

main()
  .then(() => process.exit(0))
  .catch((error: Error) => {
    process.stderr.write(`accuracy run failed: ${error.stack}\n`);
    process.exit(1);
  });
