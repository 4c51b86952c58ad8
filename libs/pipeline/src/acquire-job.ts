import type { Logger } from '@tern/config';
import type { Job, JobType, Prisma } from '@tern/db';
import type { HandlerContext } from '@tern/messaging';
import type { JobRepository } from './job-repository';

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
