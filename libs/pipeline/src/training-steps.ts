import { Topics, type Envelope } from '@tern/contracts';
import type { Prisma } from '@tern/db';
import type { HandlerContext, HandlerOutcome } from '@tern/messaging';
import { TrainingCancelledError, type EpochMetrics, type Evaluation } from '@tern/ml';
import { jobErrorOutcome, type jobFailer } from './acquire-job';
import type { WorkerDeps } from './worker-deps';

/**
 * The order training jobs read samples in: by content, then id. Row order from Postgres is not
 * defined, and the seeded shuffles start from it; this way the same images give the same model.
 */
export const sampleOrder: Prisma.SampleOrderByWithRelationInput[] = [{ contentHash: 'asc' }, { id: 'asc' }];

type Stage = 'head' | 'fine_tune';
const progressTopic = { head: Topics.headTrainingProgress, fine_tune: Topics.fineTuningProgress } as const;
const completedTopic = { head: Topics.headTrainingCompleted, fine_tune: Topics.fineTuningCompleted } as const;
const jobTypeOf = { head: 'head_training', fine_tune: 'fine_tuning' } as const;

/**
 * After each epoch: store its metrics, renew the lease (aborting on cancel or lost lease),
 * announce progress and keep the Kafka membership alive.
 */
export function epochRecorder(deps: WorkerDeps, stage: Stage, jobId: string, totalEpochs: number, event: Envelope<unknown>, ctx: HandlerContext, stop: AbortController) {
  return async (m: EpochMetrics): Promise<void> => {
    await deps.prisma.trainingMetric.upsert({
      where: { jobId_stage_epoch: { jobId, stage, epoch: m.epoch } },
      update: {},
      create: { jobId, stage, epoch: m.epoch, loss: m.loss, accuracy: m.accuracy, valLoss: m.valLoss ?? null, valAccuracy: m.valAccuracy ?? null, durationMs: m.durationMs },
    });
    const beat = await deps.jobs.heartbeat(jobId, deps.workerId, deps.leaseMs, { stage, done: m.epoch + 1, total: totalEpochs });
    if (beat.cancelRequested || !beat.leaseHeld) stop.abort();
    const epoch = { epoch: m.epoch, loss: m.loss, accuracy: m.accuracy, ...(m.valLoss !== undefined ? { valLoss: m.valLoss, valAccuracy: m.valAccuracy } : {}) };
    await deps.publisher.publish(progressTopic[stage], { jobId, jobType: jobTypeOf[stage], stage, done: m.epoch + 1, total: totalEpochs, epoch }, { key: jobId, correlationId: event.correlationId });
    await ctx.heartbeat().catch(() => undefined);
  };
}

/**
 * Registers a trained model as the dataset's next version (in one transaction), links its epoch
 * metrics, completes the job and announces it. Returns false if the lease was lost meanwhile.
 */
export async function registerModel(
  deps: WorkerDeps,
  stage: Stage,
  event: Envelope<{ jobId: string; datasetId: string }>,
  model: { id: string; baseModelId: string; parentModelId?: string; embeddingLayer: string; labels: string[]; config: Prisma.InputJsonValue; evaluation: Evaluation | null; artifactUri: string },
  started: number,
): Promise<boolean> {
  const { jobId, datasetId } = event.payload;
  const kind = stage === 'head' ? 'head' : 'fine_tuned';
  const row = await deps.prisma.$transaction(async (tx) => {
    const last = await tx.trainedModel.aggregate({ where: { datasetId }, _max: { version: true } });
    return tx.trainedModel.create({
      data: {
        id: model.id,
        datasetId,
        version: (last._max.version ?? 0) + 1,
        kind,
        jobId,
        ...(model.parentModelId ? { parentModelId: model.parentModelId } : {}),
        baseModelId: model.baseModelId,
        embeddingLayer: model.embeddingLayer,
        labels: model.labels,
        config: model.config,
        metrics: model.evaluation ? JSON.parse(JSON.stringify(model.evaluation)) : {},
        testAccuracy: model.evaluation?.accuracy ?? null,
        artifactUri: model.artifactUri,
      },
    });
  });
  await deps.prisma.trainingMetric.updateMany({ where: { jobId, stage }, data: { modelId: row.id } });
  if (!(await deps.jobs.succeed(jobId, deps.workerId, { modelId: row.id, version: row.version, testAccuracy: row.testAccuracy }))) return false;
  const meta = { key: jobId, correlationId: event.correlationId, causationId: event.eventId };
  await deps.publisher.publish(completedTopic[stage], { jobId, datasetId, modelId: row.id, modelVersion: row.version, testAccuracy: row.testAccuracy, durationMs: Date.now() - started }, meta);
  await deps.publisher.publish(Topics.modelRegistered, { modelId: row.id, datasetId, version: row.version, kind, jobId, testAccuracy: row.testAccuracy }, { ...meta, key: datasetId });
  deps.logger.info('model registered', { jobId, modelId: row.id, version: row.version, kind, testAccuracy: row.testAccuracy });
  return true;
}

/**
 * What a training job does with an error: cancelled → cancelled; invalid request → failed for good;
 * duplicate model (an earlier delivery registered it) → skipped; anything else → retried while
 * attempts remain (rethrown so the consumer retries), else failed.
 */
export async function trainingErrorOutcome(deps: WorkerDeps, jobId: string, error: unknown, fail: ReturnType<typeof jobFailer>): Promise<HandlerOutcome> {
  if (error instanceof TrainingCancelledError) {
    await deps.jobs.cancelled(jobId, deps.workerId);
    return { status: 'skipped', reason: 'cancelled' };
  }
  if ((error as { code?: string }).code === 'P2002') return { status: 'skipped', reason: 'model already registered for this job' };
  return jobErrorOutcome(error, fail);
}
