import { parseArgs } from 'node:util';

export class UsageError extends Error {}

export const helpText = `tern: transfer learning for small labelled image datasets

Usage:
  tern train <folder-per-class dir> [options]     train a classifier, print its evaluation, write it
  tern train --csv <file.csv> [options]          same, from a CSV of path,label
  tern train --dataset emoji|fashion-mnist       same, on a dataset shipped by a package
  tern predict <model dir> <images...>           top-k labels for each image
  tern bases                                      list the bundled base models and their layers

Train options:
  --base <id>            base model (default mobilenet_v2_mid; see 'tern bases')
  --layer <id>           layer to extract (default: the base's global-pooled features)
  --per-class <n>        use at most n images per class (default: all)
  --val <fraction>       validation share of each class (default 0.15)
  --test <fraction>      test share of each class (default 0.2)
  --epochs <n>           head epochs (default 50, early stopping)
  --hidden <n,n>         hidden layer sizes of the head, comma-separated, 0 for none (default 128)
  --dropout <p>          head dropout (default 0.3)
  --lr <rate>            head learning rate (default 0.001)
  --batch-size <n>       head batch size (default: 32 for small datasets, up to 512 for large ones)
  --fine-tune            also fine-tune the top of the base (layers bases: mobilenet_v2, inception_v3)
  --unfreeze <n>         conv/dense layers to unfreeze at the top of the base (default 1)
  --ft-lr <rate>         fine-tuning learning rate (default 0.00001)
  --ft-epochs <n>        fine-tuning epochs (default 10, early stopping)
  --augment              random flips, crops and brightness while fine-tuning (disables activation caching)
  --no-scratch           skip the from-scratch comparison model
  --seed <n>             seed for splits, initialisation and shuffling (default 42)
  --out <dir>            where to write the model and report.html (default ./tern-model)
  --cache <dir>          embedding cache directory (default ./.tern-cache)
  --backend <name>       force tensorflow-gpu | tensorflow | wasm | cpu (default: fastest available)
  --workers <n>          extraction threads (default: one per core on wasm/cpu, 1 on native TensorFlow)

Predict options:
  --top <k>              labels per image (default 3)
  --json                 print JSON instead of a table

Environment: TERN_TF_BACKEND forces the backend like --backend; TERN_WASM_THREADS (1-8) sets the
threads of the wasm backend (default: one per core).
`;

export interface TrainArgs {
  source: { kind: 'folder'; dir: string } | { kind: 'csv'; file: string } | { kind: 'builtin'; name: 'emoji' | 'fashion-mnist' };
  base: string;
  layer?: string;
  perClass?: number;
  val: number;
  test: number;
  epochs: number;
  hidden: number[];
  dropout: number;
  lr: number;
  /** Absent: chosen from the data size. */
  batchSize?: number;
  fineTune: boolean;
  unfreeze: number;
  ftLr: number;
  ftEpochs: number;
  augment: boolean;
  scratch: boolean;
  seed: number;
  out: string;
  cache: string;
  backend?: string;
  workers?: number;
}

function number(name: string, value: string | undefined, fallback: number, check: (n: number) => boolean, rule: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || !check(n)) throw new UsageError(`--${name} must be ${rule} (got "${value}")`);
  return n;
}

export function parseTrainArgs(argv: string[]): TrainArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      csv: { type: 'string' }, dataset: { type: 'string' }, base: { type: 'string' }, layer: { type: 'string' }, 'per-class': { type: 'string' },
      val: { type: 'string' }, test: { type: 'string' }, epochs: { type: 'string' }, hidden: { type: 'string' }, dropout: { type: 'string' },
      lr: { type: 'string' }, 'batch-size': { type: 'string' }, 'fine-tune': { type: 'boolean' }, unfreeze: { type: 'string' },
      'ft-lr': { type: 'string' }, 'ft-epochs': { type: 'string' }, augment: { type: 'boolean' }, 'no-scratch': { type: 'boolean' },
      seed: { type: 'string' }, out: { type: 'string' }, cache: { type: 'string' }, backend: { type: 'string' }, workers: { type: 'string' },
    },
  });
  const sources = [positionals[0], values.csv, values.dataset].filter(Boolean);
  if (sources.length !== 1) throw new UsageError('give exactly one of: a folder, --csv <file>, --dataset emoji|fashion-mnist');
  let source: TrainArgs['source'];
  if (values.dataset) {
    if (values.dataset !== 'emoji' && values.dataset !== 'fashion-mnist') throw new UsageError(`--dataset must be emoji or fashion-mnist (got "${values.dataset}")`);
    source = { kind: 'builtin', name: values.dataset };
  } else source = values.csv ? { kind: 'csv', file: values.csv } : { kind: 'folder', dir: positionals[0]! };
  const hidden = (values.hidden ?? '128').split(',').map((h) => Number(h.trim()));
  if (hidden.some((h) => !Number.isInteger(h) || h < 0 || h > 4096)) throw new UsageError(`--hidden must be comma-separated sizes 0..4096 (got "${values.hidden}")`);
  const fraction = (n: number) => n >= 0 && n < 0.9;
  return {
    source,
    base: values.base ?? 'mobilenet_v2_mid',
    ...(values.layer ? { layer: values.layer } : {}),
    ...(values['per-class'] ? { perClass: number('per-class', values['per-class'], 0, (n) => Number.isInteger(n) && n >= 2, 'an integer ≥ 2') } : {}),
    val: number('val', values.val, 0.15, fraction, 'a fraction from 0 to 0.9'),
    test: number('test', values.test, 0.2, (n) => n > 0 && n < 0.9, 'a fraction above 0 and below 0.9'),
    epochs: number('epochs', values.epochs, 50, (n) => Number.isInteger(n) && n >= 1 && n <= 1000, 'an integer from 1 to 1000'),
    hidden: hidden.filter((h) => h > 0),
    dropout: number('dropout', values.dropout, 0.3, (n) => n >= 0 && n <= 0.9, 'from 0 to 0.9'),
    lr: number('lr', values.lr, 1e-3, (n) => n > 0 && n <= 1, 'above 0 and at most 1'),
    ...(values['batch-size'] !== undefined ? { batchSize: number('batch-size', values['batch-size'], 32, (n) => Number.isInteger(n) && n >= 1 && n <= 4096, 'an integer from 1 to 4096') } : {}),
    fineTune: values['fine-tune'] ?? false,
    unfreeze: number('unfreeze', values.unfreeze, 1, (n) => Number.isInteger(n) && n >= 1 && n <= 500, 'an integer from 1 to 500'),
    ftLr: number('ft-lr', values['ft-lr'], 1e-5, (n) => n > 0 && n <= 0.01, 'above 0 and at most 0.01'),
    ftEpochs: number('ft-epochs', values['ft-epochs'], 10, (n) => Number.isInteger(n) && n >= 1 && n <= 200, 'an integer from 1 to 200'),
    augment: values.augment ?? false,
    scratch: !(values['no-scratch'] ?? false),
    seed: number('seed', values.seed, 42, (n) => Number.isInteger(n) && n >= 0, 'a non-negative integer'),
    out: values.out ?? 'tern-model',
    cache: values.cache ?? '.tern-cache',
    ...(values.backend ? { backend: values.backend } : {}),
    ...(values.workers ? { workers: number('workers', values.workers, 1, (n) => Number.isInteger(n) && n >= 1 && n <= 64, 'an integer from 1 to 64') } : {}),
  };
}

export function parsePredictArgs(argv: string[]): { model: string; images: string[]; top: number; json: boolean; backend?: string } {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { top: { type: 'string' }, json: { type: 'boolean' }, backend: { type: 'string' } } });
  if (positionals.length < 2) throw new UsageError('usage: tern predict <model dir> <images...>');
  return {
    model: positionals[0]!,
    images: positionals.slice(1),
    top: number('top', values.top, 3, (n) => Number.isInteger(n) && n >= 1, 'an integer ≥ 1'),
    json: values.json ?? false,
    ...(values.backend ? { backend: values.backend } : {}),
  };
}
