import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Topics, type Envelope, type PayloadOf } from '@tern/contracts';
import type { HandlerContext, HandlerOutcome } from '@tern/messaging';
import { decodeImage, evaluateModel, fineTune, loadLayersModelFromDir, saveClassifier, TrainingCancelledError, type PixelSet } from '@tern/ml';
import { acquireJob, InvalidRequest } from './acquire-job';
import type { WorkerDeps } from './nest/worker-app';
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
  const fail = async (reason: string, retryable: boolean) => {
    const state = await deps.jobs.fail(p.jobId, deps.workerId, reason, retryable);
    if (state === 'failed') await deps.publisher.publish(Topics.fineTuningFailed, { jobId: p.jobId, jobType: 'fine_tuning', reason, retryable, attempt: acquired.job.attempt }, { key: p.jobId, correlationId: event.correlationId, causationId: event.eventId });
    return state;
  };
  const workDir = mkdtempSync(path.join(tmpdir(), 'tern-ft-'));
  try {
    if (!dataset) throw new InvalidRequest(`dataset ${p.datasetId} does not exist`);
    const parent = await deps.prisma.trainedModel.findUnique({ where: { id: p.modelId }, include: { baseModel: true } });
    if (!parent || parent.datasetId !== p.datasetId) throw new InvalidRequest(`model ${p.modelId} does not exist in dataset ${p.datasetId}`);
    if (parent.kind !== 'head') throw new InvalidRequest(`model ${p.modelId} is ${parent.kind}; fine-tuning starts from a head model`);
    const base = await deps.loadBase(parent.baseModel.name);
    if (!base.descriptor.fineTunable || !base.layersModel) throw new InvalidRequest(`base model ${base.descriptor.id} cannot be fine-tuned (extraction only); train the head on a fine-tunable base such as mobilenet_v2`);

    const labels = parent.labels;
    const { width, height } = base.descriptor.inputSize;
    const samples = await deps.prisma.sample.findMany({ where: { datasetId: p.datasetId, class: { name: { in: labels } } }, include: { class: true } });
    const decode = async (split: 'train' | 'validation' | 'test'): Promise<PixelSet> => {
      const set: PixelSet = { pixels: [], labels: [] };
      for (const s of samples.filter((x) => x.split === split)) {
        try {
          const source = sampleSource(s);
          set.pixels.push((await decodeImage(await source.read(), s.id, { width, height })).pixels);
          set.labels.push(labels.indexOf(s.class!.name));
        } catch (error) {
          log.warn('sample skipped', { sampleId: s.id, reason: (error as Error).message });
        }
      }
      return set;
    };
    const train = await decode('train');
    if (train.pixels.length === 0) throw new InvalidRequest('no readable training images');
    const validation = await decode('validation');
    const head = await loadLayersModelFromDir(path.join(await deps.artifacts.localPath(parent.artifactUri), 'head'));
    const stop = new AbortController();
    const result = await fineTune(base, parent.embeddingLayer, head, train, validation, labels.length, p.params, {
      signal: stop.signal,
      onEpoch: async (m) => {
        await deps.prisma.trainingMetric.upsert({
          where: { jobId_stage_epoch: { jobId: p.jobId, stage: 'fine_tune', epoch: m.epoch } },
          update: {},
          create: { jobId: p.jobId, stage: 'fine_tune', epoch: m.epoch, loss: m.loss, accuracy: m.accuracy, valLoss: m.valLoss ?? null, valAccuracy: m.valAccuracy ?? null, durationMs: m.durationMs },
        });
        const beat = await deps.jobs.heartbeat(p.jobId, deps.workerId, deps.leaseMs, { stage: 'fine_tune', done: m.epoch + 1, total: p.params.epochs });
        if (beat.cancelRequested || !beat.leaseHeld) stop.abort();
        await deps.publisher.publish(Topics.fineTuningProgress, { jobId: p.jobId, jobType: 'fine_tuning', stage: 'fine_tune', done: m.epoch + 1, total: p.params.epochs, epoch: { epoch: m.epoch, loss: m.loss, accuracy: m.accuracy, ...(m.valLoss !== undefined ? { valLoss: m.valLoss, valAccuracy: m.valAccuracy } : {}) } }, { key: p.jobId, correlationId: event.correlationId });
        await ctx.heartbeat().catch(() => undefined);
      },
    });
    try {
      const test = await decode('test');
      let evaluation = null;
      if (test.pixels.length > 0) {
        const flat = new Uint8Array(test.pixels.length * width * height * 3);
        test.pixels.forEach((px, i) => flat.set(px, i * width * height * 3));
        const x = tf.tensor4d(flat, [test.pixels.length, height, width, 3], 'float32');
        evaluation = await evaluateModel(result.model, x, test.labels, labels, 8);
        x.dispose();
      }
      const modelId = randomUUID();
      await saveClassifier(workDir, { base, layerId: parent.embeddingLayer, head, labels, kind: 'fine_tuned', fullModel: result.model, ...(evaluation ? { metrics: { ...evaluation } } : {}) });
      const artifactUri = await deps.artifacts.put(`${p.datasetId}/${modelId}`, workDir);
      const model = await deps.prisma.$transaction(async (tx) => {
        const last = await tx.trainedModel.aggregate({ where: { datasetId: p.datasetId }, _max: { version: true } });
        return tx.trainedModel.create({
          data: { id: modelId, datasetId: p.datasetId, version: (last._max.version ?? 0) + 1, kind: 'fine_tuned', jobId: p.jobId, parentModelId: parent.id, baseModelId: parent.baseModelId, embeddingLayer: parent.embeddingLayer, labels, config: p.params, metrics: evaluation ? JSON.parse(JSON.stringify(evaluation)) : {}, testAccuracy: evaluation?.accuracy ?? null, artifactUri },
        });
      });
      await deps.prisma.trainingMetric.updateMany({ where: { jobId: p.jobId, stage: 'fine_tune' }, data: { modelId: model.id } });
      if (!(await deps.jobs.succeed(p.jobId, deps.workerId, { modelId: model.id, version: model.version, testAccuracy: model.testAccuracy, cutLayer: result.cutLayer }))) return { status: 'skipped', reason: 'lease lost before completion' };
      await deps.publisher.publish(Topics.fineTuningCompleted, { jobId: p.jobId, datasetId: p.datasetId, modelId: model.id, modelVersion: model.version, testAccuracy: model.testAccuracy, durationMs: Date.now() - started }, { key: p.jobId, correlationId: event.correlationId, causationId: event.eventId });
      await deps.publisher.publish(Topics.modelRegistered, { modelId: model.id, datasetId: p.datasetId, version: model.version, kind: 'fine_tuned', jobId: p.jobId, testAccuracy: model.testAccuracy }, { key: p.datasetId, correlationId: event.correlationId, causationId: event.eventId });
      log.info('fine-tuned model registered', { modelId: model.id, version: model.version, testAccuracy: model.testAccuracy });
      return { status: 'processed' };
    } finally {
      result.release();
      head.dispose();
    }
  } catch (error) {
    if (error instanceof TrainingCancelledError) {
      await deps.jobs.cancelled(p.jobId, deps.workerId);
      return { status: 'skipped', reason: 'cancelled' };
    }
    if (error instanceof InvalidRequest) {
      await fail(error.message, false);
      return { status: 'processed' };
    }
    if ((error as { code?: string }).code === 'P2002') return { status: 'skipped', reason: 'model already registered for this job' };
    const state = await fail(`${(error as Error).name}: ${(error as Error).message}`, true);
    if (state === 'requeued') throw error;
    return { status: 'processed' };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
