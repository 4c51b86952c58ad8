import { randomUUID } from 'node:crypto';
import { headTrainingParamsSchema, Topics, type Envelope, type PayloadOf } from '@tern/contracts';
import type { Job, Prisma } from '@tern/db';
import type { HandlerOutcome } from '@tern/messaging';
import { baseProblem } from './base-resolver';
import type { WorkerDeps } from './worker-deps';
import { decidePromotion } from './promotion';

interface PipelineParams {
  datasetId: string;
  baseModelId: string;
  layer?: string;
  head: PayloadOf<'tern.pipeline.requested.v1'>['head'];
  fineTune?: unknown;
  promote: boolean;
  forcePromotion: boolean;
  /** Extraction jobs the dataset is split into (spread over the extractors' partitions). */
  extractionShards?: number;
}

type Deps = Pick<WorkerDeps, 'prisma' | 'jobs' | 'publisher' | 'logger'>;

const meta = (job: Job, causationId?: string) => ({ key: job.id, correlationId: job.correlationId, ...(causationId ? { causationId } : {}) });

async function finishPipeline(deps: Deps, pipeline: Job, outcome: { failed: string } | { result: Prisma.InputJsonValue }, causationId?: string): Promise<void> {
  const failed = 'failed' in outcome;
  const updated = await deps.prisma.job.updateMany({
    where: { id: pipeline.id, status: 'running' },
    data: failed ? { status: 'failed', error: outcome.failed, finishedAt: new Date() } : { status: 'succeeded', result: outcome.result, finishedAt: new Date() },
  });
  if (updated.count === 0) return; // already finished by an earlier delivery
  if (failed) await deps.publisher.publish(Topics.pipelineFailed, { jobId: pipeline.id, jobType: 'pipeline', reason: outcome.failed, retryable: false, attempt: pipeline.attempt }, meta(pipeline, causationId));
}

/** Creates the next step's job row once (idempotency key per pipeline and step) and publishes its request. */
async function startStep(deps: Deps, pipeline: Job, type: 'extraction' | 'head_training' | 'fine_tuning', payload: Record<string, unknown>, part = ''): Promise<void> {
  const stepId = randomUUID();
  const { job, created } = await deps.jobs.create({ id: stepId, type, datasetId: pipeline.datasetId!, parentJobId: pipeline.id, parameters: { ...payload, jobId: stepId } as Prisma.InputJsonValue, correlationId: pipeline.correlationId, idempotencyKey: `${pipeline.id}:${type}${part}` });
  if (!created) return;
  const request = { ...payload, jobId: job.id } as never;
  const topic = { extraction: Topics.extractionRequested, head_training: Topics.headTrainingRequested, fine_tuning: Topics.fineTuningRequested }[type];
  await deps.publisher.publish(topic, request, meta(job));
  const params = pipeline.parameters as unknown as PipelineParams;
  const total = params.fineTune ? 3 : 2;
  await deps.publisher.publish(Topics.pipelineProgress, { jobId: pipeline.id, jobType: 'pipeline', stage: type, done: { extraction: 0, head_training: 1, fine_tuning: 2 }[type], total }, meta(pipeline));
}

/** Starts a pipeline (extract → head → promotion decision); a redelivered request finds its job and does nothing. */
export async function startPipeline(deps: Deps, input: Omit<PipelineParams, 'extractionShards'> & { extractionShards?: number; jobId: string; type: 'pipeline' | 'retraining'; correlationId: string; idempotencyKey?: string }): Promise<HandlerOutcome> {
  const dataset = await deps.prisma.dataset.findUnique({ where: { id: input.datasetId }, select: { id: true } });
  const params: PipelineParams = { datasetId: input.datasetId, baseModelId: input.baseModelId, ...(input.layer ? { layer: input.layer } : {}), head: input.head, ...(input.fineTune ? { fineTune: input.fineTune } : {}), promote: input.promote, forcePromotion: input.forcePromotion, extractionShards: input.extractionShards ?? 1 };
  const { job, created } = await deps.jobs.create({ id: input.jobId, type: input.type, ...(dataset ? { datasetId: input.datasetId } : {}), parameters: params as unknown as Prisma.InputJsonValue, correlationId: input.correlationId, ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}), maxAttempts: 1 });
  // A row the api created before publishing (status queued) is taken over; any other existing row means a redelivery.
  const submittedByApi = !created && job.status === 'queued' && job.type === input.type && job.startedAt === null;
  if (!created && !submittedByApi) return { status: 'skipped', reason: `pipeline ${job.id} already ${job.status}` };
  const started = await deps.prisma.job.updateMany({ where: { id: job.id, status: 'queued' }, data: { status: 'running', startedAt: new Date(), attempt: 1, parameters: params as unknown as Prisma.InputJsonValue } });
  if (started.count === 0) return { status: 'skipped', reason: `pipeline ${job.id} was started by another delivery` };
  const running = { ...job, status: 'running' as const, attempt: 1 };
  const problem = dataset ? await baseProblem(deps.prisma, input.baseModelId, input.layer, Boolean(input.fineTune)) : `dataset ${input.datasetId} does not exist`;
  if (problem) {
    await finishPipeline(deps, running, { failed: problem });
    return { status: 'processed' };
  }
  const shards = params.extractionShards ?? 1;
  for (let index = 0; index < shards; index++) {
    await startStep(deps, running, 'extraction', { datasetId: input.datasetId, baseModelId: input.baseModelId, ...(input.layer ? { layer: input.layer } : {}), batchSize: 16, ...(shards > 1 ? { shard: { index, count: shards } } : {}) }, shards > 1 ? `:${index}` : '');
  }
  return { status: 'processed' };
}

async function parentOf(deps: Deps, stepJobId: string): Promise<{ step: Job; pipeline: Job } | undefined> {
  const step = await deps.prisma.job.findUnique({ where: { id: stepJobId } });
  if (!step?.parentJobId) return undefined;
  const pipeline = await deps.prisma.job.findUnique({ where: { id: step.parentJobId } });
  return pipeline && pipeline.status === 'running' ? { step, pipeline } : undefined;
}

export async function onExtractionCompleted(deps: Deps, event: Envelope<PayloadOf<'tern.extraction.completed.v1'>>): Promise<HandlerOutcome> {
  const found = await parentOf(deps, event.payload.jobId);
  if (!found) return { status: 'skipped', reason: 'not a step of a running pipeline' };
  const params = found.pipeline.parameters as unknown as PipelineParams;
  // With shards, the head waits for every slice of the dataset.
  const pending = await deps.prisma.job.count({ where: { parentJobId: found.pipeline.id, type: 'extraction', status: { not: 'succeeded' } } });
  if (pending > 0) return { status: 'processed' };
  await startStep(deps, found.pipeline, 'head_training', { datasetId: params.datasetId, baseModelId: params.baseModelId, ...(params.layer ? { layer: params.layer } : {}), params: headTrainingParamsSchema.parse(params.head ?? {}) });
  return { status: 'processed' };
}

/** After the head: fine-tune if asked, else finish. */
export async function onHeadTrainingCompleted(deps: Deps, event: Envelope<PayloadOf<'tern.head-training.completed.v1'>>): Promise<HandlerOutcome> {
  const found = await parentOf(deps, event.payload.jobId);
  if (!found) return { status: 'skipped', reason: 'not a step of a running pipeline' };
  const params = found.pipeline.parameters as unknown as PipelineParams;
  if (params.fineTune) {
    await startStep(deps, found.pipeline, 'fine_tuning', { datasetId: params.datasetId, modelId: event.payload.modelId, params: params.fineTune });
    return { status: 'processed' };
  }
  return finish(deps, found.pipeline, [event.payload.modelId], event.eventId);
}

export async function onFineTuningCompleted(deps: Deps, event: Envelope<PayloadOf<'tern.fine-tuning.completed.v1'>>): Promise<HandlerOutcome> {
  const found = await parentOf(deps, event.payload.jobId);
  if (!found) return { status: 'skipped', reason: 'not a step of a running pipeline' };
  const head = await deps.prisma.job.findFirst({ where: { parentJobId: found.pipeline.id, type: 'head_training' } });
  const headModelId = (head?.result as { modelId?: string } | null)?.modelId;
  return finish(deps, found.pipeline, [...(headModelId ? [headModelId] : []), event.payload.modelId], event.eventId);
}

/** The pipeline's last model is the candidate for promotion. */
async function finish(deps: Deps, pipeline: Job, modelIds: string[], causationId: string): Promise<HandlerOutcome> {
  const params = pipeline.parameters as unknown as PipelineParams;
  const modelId = modelIds[modelIds.length - 1]!;
  let promoted = false;
  let promotion: Prisma.InputJsonValue | null = null;
  if (params.promote) {
    const decision = await decidePromotion(deps.prisma, params.datasetId, modelId, params.forcePromotion);
    promoted = decision.promoted;
    promotion = { ...decision };
    await deps.publisher.publish(Topics.modelPromotionDecided, { datasetId: params.datasetId, candidateModelId: modelId, ...decision }, meta(pipeline, causationId));
    deps.logger.info('promotion decided', { pipeline: pipeline.id, ...decision });
  }
  // The job row records the decision and both scores, as the event announces them.
  await finishPipeline(deps, pipeline, { result: { modelIds, finalModelId: modelId, promoted, promotion } });
  await deps.publisher.publish(Topics.pipelineCompleted, { jobId: pipeline.id, datasetId: params.datasetId, modelIds, finalModelId: modelId, promoted }, meta(pipeline, causationId));
  return { status: 'processed' };
}

export async function onStepFailed(deps: Deps, event: Envelope<PayloadOf<'tern.extraction.failed.v1'>>): Promise<HandlerOutcome> {
  const found = await parentOf(deps, event.payload.jobId);
  if (!found) return { status: 'skipped', reason: 'not a step of a running pipeline' };
  await finishPipeline(deps, found.pipeline, { failed: `${found.step.type} step failed: ${event.payload.reason}` }, event.eventId);
  return { status: 'processed' };
}

/** Public retraining request: a new pipeline on the dataset's current samples, promoted only if better. */
export async function onRetrainRequested(deps: Deps, event: Envelope<PayloadOf<'tern.dataset.retrain-requested.v1'>>): Promise<HandlerOutcome> {
  const p = event.payload;
  // Retrain with the production model's base and layer when there is one.
  const production = await deps.prisma.modelAlias.findUnique({ where: { datasetId_alias: { datasetId: p.datasetId, alias: 'production' } }, include: { model: { include: { baseModel: true } } } });
  return startPipeline(deps, {
    jobId: p.jobId ?? randomUUID(),
    type: 'retraining',
    correlationId: event.correlationId,
    idempotencyKey: `retrain:${p.idempotencyKey ?? event.eventId}`,
    datasetId: p.datasetId,
    baseModelId: production?.model.baseModel.name ?? 'mobilenet_v2_mid',
    ...(production ? { layer: production.model.embeddingLayer } : {}),
    head: (production?.model.config as PipelineParams['head'] | undefined) ?? headTrainingParamsSchema.parse({}),
    promote: true,
    forcePromotion: p.forcePromotion,
  });
}

/** Requeues steps whose worker died and republishes their requests; fails the ones out of attempts. */
export async function sweepLeases(deps: Deps): Promise<{ requeued: number; failed: number }> {
  const { requeued, failed } = await deps.jobs.sweepExpiredLeases();
  for (const job of requeued) {
    const payload = job.parameters as Record<string, unknown>;
    if (job.type === 'extraction') await deps.publisher.publish(Topics.extractionRequested, payload as never, meta(job));
    if (job.type === 'head_training') await deps.publisher.publish(Topics.headTrainingRequested, payload as never, meta(job));
    if (job.type === 'fine_tuning') await deps.publisher.publish(Topics.fineTuningRequested, payload as never, meta(job));
  }
  for (const job of failed) {
    const row = await deps.prisma.job.findUniqueOrThrow({ where: { id: job.id } });
    const topic = job.type === 'extraction' ? Topics.extractionFailed : job.type === 'head_training' ? Topics.headTrainingFailed : job.type === 'fine_tuning' ? Topics.fineTuningFailed : undefined;
    if (topic) await deps.publisher.publish(topic, { jobId: job.id, jobType: job.type, reason: row.error ?? 'worker lost', retryable: false, attempt: row.attempt }, meta(job));
  }
  return { requeued: requeued.length, failed: failed.length };
}

/** Cancels a job; for a pipeline, its unfinished steps too. Workers stop at their next batch or epoch. */
export async function onCancelRequested(deps: Deps, event: Envelope<PayloadOf<'tern.job.cancel-requested.v1'>>): Promise<HandlerOutcome> {
  const job = await deps.prisma.job.findUnique({ where: { id: event.payload.jobId } });
  if (!job) return { status: 'skipped', reason: `job ${event.payload.jobId} does not exist` };
  if (job.status !== 'queued' && job.status !== 'running') return { status: 'skipped', reason: `job already ${job.status}` };
  if (job.type === 'pipeline' || job.type === 'retraining') {
    for (const step of await deps.prisma.job.findMany({ where: { parentJobId: job.id, status: { in: ['queued', 'running'] } } })) await deps.jobs.requestCancel(step.id);
    await deps.prisma.job.updateMany({ where: { id: job.id, status: { in: ['queued', 'running'] } }, data: { status: 'cancelled', cancelRequestedAt: new Date(), finishedAt: new Date(), error: event.payload.reason ?? 'cancelled' } });
  } else {
    await deps.jobs.requestCancel(job.id);
  }
  deps.logger.info('cancel requested', { jobId: job.id, type: job.type });
  return { status: 'processed' };
}
