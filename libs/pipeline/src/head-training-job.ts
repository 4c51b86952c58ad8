import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Topics, type Envelope, type PayloadOf } from '@tern/contracts';
import type { Logger } from '@tern/config';
import type { PrismaClient } from '@tern/db';
import type { EventPublisher, HandlerContext, HandlerOutcome } from '@tern/messaging';
import { bundledBaseModel, embeddingKeyOf, evaluateModel, findLayer, preprocessingKey, saveClassifier, toTensors, trainHead, TrainingCancelledError, type LabelledVectors, type LoadedBase } from '@tern/ml';
import { acquireJob, InvalidRequest } from './acquire-job';
import type { ArtifactStore } from './artifact-store';
import type { JobRepository } from './job-repository';
import { PostgresEmbeddingStore } from './postgres-embedding-store';

export interface HeadTrainerDeps {
  prisma: PrismaClient;
  jobs: JobRepository;
  publisher: EventPublisher;
  artifacts: ArtifactStore;
  logger: Logger;
  workerId: string;
  leaseMs: number;
  loadBase: (baseModelId: string) => Promise<LoadedBase>;
}

type Request = Envelope<PayloadOf<'tern.head-training.requested.v1'>>;
type Split = 'train' | 'validation' | 'test';

/**
 * Trains a head on the dataset's cached embeddings, evaluates it on the test split, stores the
 * artifact, records per-epoch metrics and registers a new model version. A redelivered request
 * cannot register a second model: (job, kind) is unique.
 */
export async function handleHeadTrainingRequest(deps: HeadTrainerDeps, event: Request, ctx: HandlerContext): Promise<HandlerOutcome> {
  const p = event.payload;
  const log = deps.logger.child({ jobId: p.jobId, correlationId: event.correlationId });
  const dataset = await deps.prisma.dataset.findUnique({ where: { id: p.datasetId }, include: { classes: { orderBy: { name: 'asc' } } } });
  const acquired = await acquireJob(deps, { id: p.jobId, type: 'head_training', ...(dataset ? { datasetId: p.datasetId } : {}), parameters: p, correlationId: event.correlationId }, ctx);
  if ('skipped' in acquired) return { status: 'skipped', reason: acquired.skipped };
  const attempt = acquired.job.attempt;
  const started = Date.now();
  const fail = async (reason: string, retryable: boolean) => {
    const state = await deps.jobs.fail(p.jobId, deps.workerId, reason, retryable);
    if (state === 'failed') await deps.publisher.publish(Topics.headTrainingFailed, { jobId: p.jobId, jobType: 'head_training', reason, retryable, attempt }, { key: p.jobId, correlationId: event.correlationId, causationId: event.eventId });
    return state;
  };
  const workDir = mkdtempSync(path.join(tmpdir(), 'tern-head-'));
  try {
    if (!dataset) throw new InvalidRequest(`dataset ${p.datasetId} does not exist`);
    let descriptor;
    let layer;
    try {
      descriptor = bundledBaseModel(p.baseModelId);
      layer = findLayer(descriptor, p.layer);
    } catch (error) {
      throw new InvalidRequest((error as Error).message);
    }
    const classNames = dataset.classes.map((c) => c.name);
    if (classNames.length < 2) throw new InvalidRequest(`dataset has ${classNames.length} class(es); a classifier needs at least two`);
    const samples = await deps.prisma.sample.findMany({ where: { datasetId: p.datasetId, classId: { not: null } }, select: { id: true, classId: true, contentHash: true, split: true } });
    const classIndex = new Map(dataset.classes.map((c, i) => [c.id, i]));
    const emptyClasses = classNames.filter((_, i) => !samples.some((s) => s.split === 'train' && classIndex.get(s.classId!) === i));
    if (emptyClasses.length > 0) throw new InvalidRequest(`class(es) without training samples: ${emptyClasses.join(', ')}`);

    const key = embeddingKeyOf({ descriptor, layer, preprocessingKey: preprocessingKey(descriptor) });
    const vectors = await new PostgresEmbeddingStore(deps.prisma).getMany(key, samples.map((s) => s.contentHash));
    const missing = samples.filter((s) => !vectors.has(s.contentHash)).length;
    if (missing > 0) throw new InvalidRequest(`${missing} of ${samples.length} samples have no cached ${descriptor.id}/${layer.id} embedding: run extraction first`);
    const splitData = (split: Split): LabelledVectors => {
      const rows = samples.filter((s) => s.split === split);
      return { vectors: rows.map((s) => vectors.get(s.contentHash)!), labels: rows.map((s) => classIndex.get(s.classId!)!), classNames };
    };

    const stop = new AbortController();
    const head = await trainHead(splitData('train'), p.params, {
      validation: splitData('validation'),
      signal: stop.signal,
      onEpoch: async (m) => {
        await deps.prisma.trainingMetric.upsert({
          where: { jobId_stage_epoch: { jobId: p.jobId, stage: 'head', epoch: m.epoch } },
          update: {},
          create: { jobId: p.jobId, stage: 'head', epoch: m.epoch, loss: m.loss, accuracy: m.accuracy, valLoss: m.valLoss ?? null, valAccuracy: m.valAccuracy ?? null, durationMs: m.durationMs },
        });
        const beat = await deps.jobs.heartbeat(p.jobId, deps.workerId, deps.leaseMs, { stage: 'head', done: m.epoch + 1, total: p.params.epochs });
        if (beat.cancelRequested || !beat.leaseHeld) stop.abort();
        await deps.publisher.publish(Topics.headTrainingProgress, { jobId: p.jobId, jobType: 'head_training', stage: 'head', done: m.epoch + 1, total: p.params.epochs, epoch: { epoch: m.epoch, loss: m.loss, accuracy: m.accuracy, ...(m.valLoss !== undefined ? { valLoss: m.valLoss, valAccuracy: m.valAccuracy } : {}) } }, { key: p.jobId, correlationId: event.correlationId });
        await ctx.heartbeat().catch(() => undefined);
      },
    });
    try {
      const test = splitData('test');
      let evaluation = null;
      if (test.vectors.length > 0) {
        const [x, y] = toTensors(test);
        y.dispose();
        evaluation = await evaluateModel(head.model, x, test.labels, classNames);
        x.dispose();
      }
      const base = await deps.loadBase(descriptor.id);
      const modelId = randomUUID();
      await saveClassifier(workDir, { base, layerId: layer.id, head: head.model, labels: classNames, kind: 'head', ...(evaluation ? { metrics: { ...evaluation } } : {}) });
      const artifactUri = await deps.artifacts.put(`${p.datasetId}/${modelId}`, workDir);
      const baseRow = await deps.prisma.baseModel.findUniqueOrThrow({ where: { name_version: { name: descriptor.id, version: descriptor.version } } });
      const model = await deps.prisma.$transaction(async (tx) => {
        const last = await tx.trainedModel.aggregate({ where: { datasetId: p.datasetId }, _max: { version: true } });
        return tx.trainedModel.create({
          data: {
            id: modelId,
            datasetId: p.datasetId,
            version: (last._max.version ?? 0) + 1,
            kind: 'head',
            jobId: p.jobId,
            baseModelId: baseRow.id,
            embeddingLayer: layer.id,
            labels: classNames,
            config: p.params,
            metrics: evaluation ? JSON.parse(JSON.stringify(evaluation)) : {},
            testAccuracy: evaluation?.accuracy ?? null,
            artifactUri,
          },
        });
      });
      await deps.prisma.trainingMetric.updateMany({ where: { jobId: p.jobId, stage: 'head' }, data: { modelId: model.id } });
      if (!(await deps.jobs.succeed(p.jobId, deps.workerId, { modelId: model.id, version: model.version, testAccuracy: model.testAccuracy }))) return { status: 'skipped', reason: 'lease lost before completion' };
      const durationMs = Date.now() - started;
      await deps.publisher.publish(Topics.headTrainingCompleted, { jobId: p.jobId, datasetId: p.datasetId, modelId: model.id, modelVersion: model.version, testAccuracy: model.testAccuracy, durationMs }, { key: p.jobId, correlationId: event.correlationId, causationId: event.eventId });
      await deps.publisher.publish(Topics.modelRegistered, { modelId: model.id, datasetId: p.datasetId, version: model.version, kind: 'head', jobId: p.jobId, testAccuracy: model.testAccuracy }, { key: p.datasetId, correlationId: event.correlationId, causationId: event.eventId });
      log.info('head trained and registered', { modelId: model.id, version: model.version, testAccuracy: model.testAccuracy });
      return { status: 'processed' };
    } finally {
      head.model.dispose();
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
    // A duplicate (job, kind) means an earlier delivery registered the model: nothing to redo.
    if ((error as { code?: string }).code === 'P2002') return { status: 'skipped', reason: 'model already registered for this job' };
    const state = await fail(`${(error as Error).name}: ${(error as Error).message}`, true);
    if (state === 'requeued') throw error;
    return { status: 'processed' };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
