import type { Logger } from '@tern/config';
import type { Envelope, Topics } from '@tern/contracts';
import type { Job, JobType, Prisma, PrismaClient } from '@tern/db';
import type { HandlerContext, HandlerOutcome } from '@tern/messaging';
import { findLayer, type BaseModelDescriptor, type ExtractableLayer } from '@tern/ml';
import { resolveBase } from './base-resolver';
import type { JobRepository } from './job-repository';
import type { WorkerDeps } from './worker-deps';

export interface AcquireOptions {
  jobs: JobRepository;
  workerId: string;
  leaseMs: number;
  logger: Logger;
}

/**
 * Creates the job row if this is the first we hear of it, then claims it. A job held by another
 * worker whose lease is about to run out (the usual case after a crash: Kafka redelivers the
 * request once the dead member's session expires) is waited for and taken over.
 */
export async function acquireJob(
  o: AcquireOptions,
  job: { id: string; type: JobType; datasetId?: string; parameters: Prisma.InputJsonValue; correlationId: string },
  ctx: HandlerContext,
): Promise<{ job: Job } | { skipped: string }> {
  await o.jobs.create({ id: job.id, type: job.type, parameters: job.parameters, correlationId: job.correlationId, ...(job.datasetId ? { datasetId: job.datasetId } : {}) });
  let claim = await o.jobs.claim(job.id, o.workerId, o.leaseMs);
  if (claim.outcome === 'skipped' && claim.job?.status === 'running' && claim.job.leaseExpiresAt) {
    const wait = claim.job.leaseExpiresAt.getTime() - Date.now() + 100;
    if (wait > 0 && wait <= o.leaseMs + 1000) {
      o.logger.info('job held by another worker; waiting for its lease', { jobId: job.id, owner: claim.job.leaseOwner, waitMs: wait });
      const until = Date.now() + wait;
      while (Date.now() < until && !ctx.signal.aborted) {
        await new Promise((r) => setTimeout(r, Math.min(1000, until - Date.now())));
        await ctx.heartbeat().catch(() => undefined);
      }
      claim = await o.jobs.claim(job.id, o.workerId, o.leaseMs);
    }
  }
  if (claim.outcome === 'skipped') {
    o.logger.info('request skipped', { jobId: job.id, reason: claim.reason });
    return { skipped: claim.reason };
  }
  return { job: claim.job };
}

/** A request that can never succeed as sent: fail the job without retrying. */
export class InvalidRequest extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRequest';
  }
}

type FailedTopic = typeof Topics.extractionFailed | typeof Topics.headTrainingFailed | typeof Topics.fineTuningFailed;

/**
 * Records a job's failure: back to the queue while a retryable failure has attempts left,
 * otherwise failed for good, announced on the job's `failed` topic.
 */
export function jobFailer(deps: Pick<WorkerDeps, 'jobs' | 'publisher' | 'workerId'>, topic: FailedTopic, jobType: 'extraction' | 'head_training' | 'fine_tuning', event: Envelope<{ jobId: string }>, attempt: number) {
  const jobId = event.payload.jobId;
  return async (reason: string, retryable: boolean): Promise<'requeued' | 'failed' | 'not-held'> => {
    const state = await deps.jobs.fail(jobId, deps.workerId, reason, retryable);
    if (state === 'failed') await deps.publisher.publish(topic, { jobId, jobType, reason, retryable, attempt }, { key: jobId, correlationId: event.correlationId, causationId: event.eventId });
    return state;
  };
}

/** Invalid request → failed for good; anything else → retried while attempts remain (rethrown so the consumer retries), else failed. */
export async function jobErrorOutcome(error: unknown, fail: ReturnType<typeof jobFailer>): Promise<HandlerOutcome> {
  if (error instanceof InvalidRequest) {
    await fail(error.message, false);
    return { status: 'processed' };
  }
  const state = await fail(`${(error as Error).name}: ${(error as Error).message}`, true);
  if (state === 'requeued') throw error;
  return { status: 'processed' };
}

/** The base (bundled or user-registered) and layer a request names; an unknown one makes the request invalid. */
export async function requestedBase(prisma: PrismaClient, baseModelId: string, layerId?: string): Promise<{ descriptor: BaseModelDescriptor; layer: ExtractableLayer }> {
  try {
    const descriptor = await resolveBase(prisma, baseModelId);
    return { descriptor, layer: findLayer(descriptor, layerId) };
  } catch (error) {
    throw new InvalidRequest((error as Error).message);
  }
}
