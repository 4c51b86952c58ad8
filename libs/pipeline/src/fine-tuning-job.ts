import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Topics, type Envelope, type PayloadOf } from '@tern/contracts';
import type { HandlerContext, HandlerOutcome } from '@tern/messaging';
import { decodeForTraining, evaluateOnPixels, fineTune, loadLayersModelFromDir, saveClassifier, type PixelSet } from '@tern/ml';
import { acquireJob, InvalidRequest, jobFailer } from './acquire-job';
import { epochRecorder, registerModel, sampleOrder, trainingErrorOutcome } from './training-steps';
import type { WorkerDeps } from './worker-deps';
import { sampleSource } from './sample-source';

type Request = Envelope<PayloadOf<'tern.fine-tuning.requested.v1'>>;

/**
 * Fine-tunes the top of a head model's base on the dataset's images (cut-point activations
 * cached, BatchNorm folded), evaluates on the test split, stores the whole classifier and
 * registers it as a new `fine_tuned` version whose parent is the head model.
 */
export async function handleFineTuningRequest(deps: WorkerDeps, event: Request, ctx: HandlerContext): Promise<HandlerOutcome> {
  const p = event.payload;
  const log = deps.logger.child({ jobId: p.jobId, correlationId: event.correlationId });
  const dataset = await deps.prisma.dataset.findUnique({ where: { id: p.datasetId }, select: { id: true } });
  const acquired = await acquireJob(deps, { id: p.jobId, type: 'fine_tuning', ...(dataset ? { datasetId: p.datasetId } : {}), parameters: p, correlationId: event.correlationId }, ctx);
  if ('skipped' in acquired) return { status: 'skipped', reason: acquired.skipped };
  const started = Date.now();
  const fail = jobFailer(deps, Topics.fineTuningFailed, 'fine_tuning', event, acquired.job.attempt);
  const workDir = mkdtempSync(path.join(tmpdir(), 'tern-ft-'));
  try {
    if (!dataset) throw new InvalidRequest(`dataset ${p.datasetId} does not exist`);
    const parent = await deps.prisma.trainedModel.findUnique({ where: { id: p.modelId }, include: { baseModel: true } });
    if (!parent || parent.datasetId !== p.datasetId) throw new InvalidRequest(`model ${p.modelId} does not exist in dataset ${p.datasetId}`);
    if (parent.kind !== 'head') throw new InvalidRequest(`model ${p.modelId} is ${parent.kind}; fine-tuning starts from a head model`);
    const base = await deps.loadBase(parent.baseModel.name);
    if (!base.descriptor.fineTunable || !base.layersModel) throw new InvalidRequest(`base model ${base.descriptor.id} cannot be fine-tuned (extraction only); train the head on a fine-tunable base such as mobilenet_v2`);

    const labels = parent.labels;
    const samples = await deps.prisma.sample.findMany({ where: { datasetId: p.datasetId, class: { name: { in: labels } } }, include: { class: true }, orderBy: sampleOrder });
    const decode = async (split: 'train' | 'validation' | 'test'): Promise<PixelSet> => {
      const items = samples.filter((s) => s.split === split).map((s) => ({ source: sampleSource(s), label: s.class!.name }));
      const set = await decodeForTraining(items, labels, base.descriptor.inputSize);
      for (const f of set.failed) log.warn('sample skipped', { sampleId: f.id, reason: f.reason });
      return set;
    };
    const train = await decode('train');
    if (train.pixels.length === 0) throw new InvalidRequest('no readable training images');
    const validation = await decode('validation');
    const head = await loadLayersModelFromDir(path.join(await deps.artifacts.localPath(parent.artifactUri), 'head'));
    const stop = new AbortController();
    const result = await fineTune(base, parent.embeddingLayer, head, train, validation, labels.length, p.params, {
      signal: stop.signal,
      onEpoch: epochRecorder(deps, 'fine_tune', p.jobId, p.params.epochs, event, ctx, stop),
    });
    try {
      const test = await decode('test');
      let evaluation = null;
      if (test.pixels.length > 0) {
        evaluation = await evaluateOnPixels(result.model, test, base.descriptor.inputSize, labels, 8);
      }
      const modelId = randomUUID();
      await saveClassifier(workDir, { base, layerId: parent.embeddingLayer, head, labels, kind: 'fine_tuned', fullModel: result.model, ...(evaluation ? { metrics: { ...evaluation } } : {}) });
      const artifactUri = await deps.artifacts.put(`${p.datasetId}/${modelId}`, workDir);
      const registered = await registerModel(deps, 'fine_tune', event, { id: modelId, baseModelId: parent.baseModelId, parentModelId: parent.id, embeddingLayer: parent.embeddingLayer, labels, config: p.params, evaluation, artifactUri }, started);
      if (!registered) return { status: 'skipped', reason: 'lease lost before completion' };
      log.debug('fine-tuning job done', { cutLayer: result.cutLayer });
      return { status: 'processed' };
    } finally {
      result.release();
      head.dispose();
    }
  } catch (error) {
    return trainingErrorOutcome(deps, p.jobId, error, fail);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
