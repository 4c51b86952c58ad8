import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Topics, type Envelope, type PayloadOf } from '@tern/contracts';
import type { HandlerContext, HandlerOutcome } from '@tern/messaging';
import { embeddingKeyOf, evaluateModel, preprocessingKey, saveClassifier, toTensors, trainHead, type LabelledVectors } from '@tern/ml';
import { acquireJob, InvalidRequest, jobFailer, requestedBase } from './acquire-job';
import { PostgresEmbeddingStore } from './postgres-embedding-store';
import { epochRecorder, registerModel, sampleOrder, trainingErrorOutcome } from './training-steps';
import type { WorkerDeps } from './worker-deps';

type Request = Envelope<PayloadOf<'tern.head-training.requested.v1'>>;
type Split = 'train' | 'validation' | 'test';

/**
 * Trains a head on the dataset's cached embeddings, evaluates it on the test split, stores the
 * artifact, records per-epoch metrics and registers a new model version. A redelivered request
 * cannot register a second model: (job, kind) is unique.
 */
export async function handleHeadTrainingRequest(deps: WorkerDeps, event: Request, ctx: HandlerContext): Promise<HandlerOutcome> {
  const p = event.payload;
  const log = deps.logger.child({ jobId: p.jobId, correlationId: event.correlationId });
  const dataset = await deps.prisma.dataset.findUnique({ where: { id: p.datasetId }, include: { classes: { orderBy: { name: 'asc' } } } });
  const acquired = await acquireJob(deps, { id: p.jobId, type: 'head_training', ...(dataset ? { datasetId: p.datasetId } : {}), parameters: p, correlationId: event.correlationId }, ctx);
  if ('skipped' in acquired) return { status: 'skipped', reason: acquired.skipped };
  const started = Date.now();
  const fail = jobFailer(deps, Topics.headTrainingFailed, 'head_training', event, acquired.job.attempt);
  const workDir = mkdtempSync(path.join(tmpdir(), 'tern-head-'));
  try {
    if (!dataset) throw new InvalidRequest(`dataset ${p.datasetId} does not exist`);
    const { descriptor, layer } = await requestedBase(deps.prisma, p.baseModelId, p.layer);
    const classNames = dataset.classes.map((c) => c.name);
    if (classNames.length < 2) throw new InvalidRequest(`dataset has ${classNames.length} class(es); a classifier needs at least two`);
    const samples = await deps.prisma.sample.findMany({ where: { datasetId: p.datasetId, classId: { not: null } }, select: { id: true, classId: true, contentHash: true, split: true }, orderBy: sampleOrder });
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
      onEpoch: epochRecorder(deps, 'head', p.jobId, p.params.epochs, event, ctx, stop),
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
      const registered = await registerModel(deps, 'head', event, { id: modelId, baseModelId: baseRow.id, embeddingLayer: layer.id, labels: classNames, config: { ...p.params, batchSize: head.options.batchSize }, evaluation, artifactUri }, started);
      if (!registered) return { status: 'skipped', reason: 'lease lost before completion' };
      log.debug('head job done');
      return { status: 'processed' };
    } finally {
      head.model.dispose();
    }
  } catch (error) {
    return trainingErrorOutcome(deps, p.jobId, error, fail);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
