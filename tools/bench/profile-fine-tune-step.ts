// Where one cached fine-tuning step spends its time: trains Conv_1 (BatchNorm folded) and a 64-unit
// head of the Keras MobileNetV2 on random 7×7×320 cut-point activations, then prints the time per
// step and the kernels that took it, slowest first (TF.js' profiler; nested kernels count twice).
//   npm run bench:profile-step [-- --batch 16]
import * as tf from '@tensorflow/tfjs';
import { buildHead, bundledBaseModel, initBackend, loadBase } from '../../libs/ml/src/index';
import { findLayer } from '../../libs/ml/src/base-models/descriptor';
import { buildTrainableTail, planTail } from '../../libs/ml/src/finetune/trainable-tail';
import { optimizerStep } from '../../libs/ml/src/training/optimizer-step';
import { forward, forwardToLoss, trainEpoch } from '../../libs/ml/src/training/train-epoch';

function batchSizeArgument(): number {
  const at = process.argv.indexOf('--batch');
  const batch = at >= 0 ? Number(process.argv[at + 1]) : 16;
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`--batch must be a positive integer, got ${process.argv[at + 1]}`);
  return batch;
}

async function main(): Promise<void> {
  const batch = batchSizeArgument();
  const backend = await initBackend('wasm');
  const base = await loadBase(bundledBaseModel('mobilenet_v2'));
  const plan = planTail(base.layersModel!, findLayer(base.descriptor, undefined).node, 1);
  const tail = buildTrainableTail(plan, [0, 7, 7, 320]);
  const head = buildHead(1280, 2, { hiddenUnits: [64], dropout: 0.2, seed: 1 });
  const input = tf.input({ shape: [7, 7, 320] });
  const model = tf.model({ inputs: input, outputs: head.apply(tail.apply(input)) as tf.SymbolicTensor });
  model.compile({ optimizer: tf.train.adam(1e-5), loss: 'categoricalCrossentropy' });
  const steps = 4;
  const n = batch * steps;
  const x = tf.randomUniform([n, 7, 7, 320], 0, 3);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: n }, (_, i) => i % 2), 'int32'), 2).toFloat();
  const stepper = optimizerStep(model.optimizer);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const settings = { batchSize: batch, forward: (t: tf.Tensor, training: boolean) => forwardToLoss(head, forward(tail, t, training), training), onAbort: () => new Error('aborted') };
  for (let i = 0; i < 3; i++) await trainEpoch(model, stepper, x, y, order, settings);
  const epochs = 10;
  const started = performance.now();
  for (let i = 0; i < epochs; i++) await trainEpoch(model, stepper, x, y, order, settings);
  const stepMs = (performance.now() - started) / epochs / steps;
  const profile = await tf.profile(async () => {
    await trainEpoch(model, stepper, x, y, order, settings);
    return [];
  });
  const byKernel = new Map<string, { ms: number; calls: number }>();
  for (const k of profile.kernels) {
    const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
    const entry = byKernel.get(key) ?? { ms: 0, calls: 0 };
    entry.ms += k.kernelTimeMs as number;
    entry.calls++;
    byKernel.set(key, entry);
  }
  const rows = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const kernelMs = rows.reduce((sum, [, v]) => sum + v.ms, 0) / steps;
  console.log(`backend ${backend.name} × ${backend.threads} thread(s), batch ${batch}: ${stepMs.toFixed(1)} ms a step, ${(stepMs / batch).toFixed(2)} ms per image; kernels ${kernelMs.toFixed(1)} ms a step (${profile.kernels.length / steps} calls)`);
  console.log('ms/step  calls  kernel [input shapes]');
  for (const [key, v] of rows.slice(0, 20)) console.log(`${(v.ms / steps).toFixed(2).padStart(7)}  ${String(v.calls / steps).padStart(5)}  ${key}`);
  tf.dispose([x, y]);
  model.dispose();
}

void main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
