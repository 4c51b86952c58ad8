import { randomUUID } from 'node:crypto';
import { HttpException, HttpStatus, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { Topics, type JobView, type SubmitJob } from '@tern/contracts';
import type { Prisma } from '@tern/db';
import { baseProblem } from '@tern/pipeline';
import type { ApiContext } from '../api-context';
import { liveDataset } from '../datasets/dataset-queries';
import { toJobView } from './job-views';

async function checkBase(ctx: ApiContext, baseModelId: string, layer: string | undefined, fineTune: boolean): Promise<void> {
  const problem = await baseProblem(ctx.prisma, baseModelId, layer, fineTune);
  if (problem) throw new UnprocessableEntityException(problem);
}

/**
 * Validates a job against the current state (dataset, model, base, layer), records it as queued
 * and publishes its request. The job row exists before the event, so it can be followed at once;
 * if publishing fails the row is marked failed, never left queued.
 */
export async function submitJob(ctx: ApiContext, input: SubmitJob, correlationId: string): Promise<JobView> {
  await liveDataset(ctx.prisma, input.datasetId);
  const jobId = randomUUID();
  if (input.type === 'pipeline' || input.type === 'extraction' || input.type === 'head_training') await checkBase(ctx, input.baseModelId, input.layer, input.type === 'pipeline' && Boolean(input.fineTune));
  if (input.type === 'fine_tuning') {
    const model = await ctx.prisma.trainedModel.findUnique({ where: { id: input.modelId }, include: { baseModel: true } });
    if (!model || model.datasetId !== input.datasetId) throw new NotFoundException(`model ${input.modelId} does not exist in dataset ${input.datasetId}`);
    if (model.kind !== 'head') throw new UnprocessableEntityException(`model ${input.modelId} is ${model.kind}; fine-tuning starts from a head model`);
    await checkBase(ctx, model.baseModel.name, model.embeddingLayer, true);
  }
  const { type, ...rest } = input;
  const payload = { ...rest, jobId } as Record<string, unknown>;
  await ctx.prisma.job.create({ data: { id: jobId, type, datasetId: input.datasetId, parameters: payload as Prisma.InputJsonValue, correlationId, maxAttempts: type === 'pipeline' || type === 'retraining' ? 1 : 3 } });
  const meta = { key: type === 'retraining' || type === 'pipeline' ? input.datasetId : jobId, correlationId };
  try {
    if (type === 'pipeline') await ctx.publisher.publish(Topics.pipelineRequested, payload as never, meta);
    if (type === 'extraction') await ctx.publisher.publish(Topics.extractionRequested, payload as never, meta);
    if (type === 'head_training') await ctx.publisher.publish(Topics.headTrainingRequested, payload as never, meta);
    if (type === 'fine_tuning') await ctx.publisher.publish(Topics.fineTuningRequested, payload as never, meta);
    if (type === 'retraining') await ctx.publisher.publish(Topics.datasetRetrainRequested, { datasetId: input.datasetId, forcePromotion: input.forcePromotion, jobId, idempotencyKey: `api:${jobId}`, ...(input.reason ? { reason: input.reason } : {}) }, meta);
  } catch (error) {
    await ctx.prisma.job.update({ where: { id: jobId }, data: { status: 'failed', error: `could not publish the request: ${(error as Error).message}`, finishedAt: new Date() } });
    throw new HttpException(`the job could not be queued (Kafka unavailable: ${(error as Error).message}); it is recorded as failed, try again`, HttpStatus.SERVICE_UNAVAILABLE);
  }
  return toJobView(await ctx.prisma.job.findUniqueOrThrow({ where: { id: jobId } }));
}

/** Publishes a cancel request; the owner of the job stops at its next batch or epoch. */
export async function cancelJob(ctx: ApiContext, jobId: string, reason: string | undefined, correlationId: string): Promise<JobView> {
  const job = await ctx.prisma.job.findUnique({ where: { id: jobId } });
  if (!job) throw new NotFoundException(`job ${jobId} does not exist`);
  if (job.status === 'queued' || job.status === 'running') {
    await ctx.prisma.job.update({ where: { id: jobId }, data: { cancelRequestedAt: new Date() } });
    await ctx.publisher.publish(Topics.jobCancelRequested, { jobId, ...(reason ? { reason } : {}) }, { key: jobId, correlationId });
  }
  return toJobView(await ctx.prisma.job.findUniqueOrThrow({ where: { id: jobId } }));
}
