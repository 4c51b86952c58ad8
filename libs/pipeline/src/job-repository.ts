import type { Job, JobType, Prisma, PrismaClient } from '@tern/db';

export type ClaimOutcome = { outcome: 'claimed'; job: Job } | { outcome: 'skipped'; reason: string; job?: Job };

export interface NewJob {
  /** The id announced in the request event, when the job row is created by its consumer. */
  id?: string;
  type: JobType;
  datasetId?: string;
  parentJobId?: string;
  parameters: Prisma.InputJsonValue;
  correlationId: string;
  /** Resubmissions with the same key return the existing job instead of creating another. */
  idempotencyKey?: string;
  maxAttempts?: number;
}

/**
 * Job rows are the source of truth for job state. Every transition is one conditional UPDATE,
 * so two workers can never both hold a job: a worker claims it with a lease, renews the lease
 * while it works, and loses it if it dies. Expired leases are retried up to max_attempts, then
 * the job fails with the reason. Nothing stays `running` forever.
 */
export class JobRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(job: NewJob): Promise<{ job: Job; created: boolean }> {
    if (job.id) {
      const existing = await this.prisma.job.findUnique({ where: { id: job.id } });
      if (existing) return { job: existing, created: false };
    }
    if (job.idempotencyKey) {
      const existing = await this.prisma.job.findUnique({ where: { idempotencyKey: job.idempotencyKey } });
      if (existing) return { job: existing, created: false };
    }
    try {
      const created = await this.prisma.job.create({
        data: {
          ...(job.id ? { id: job.id } : {}),
          type: job.type,
          parameters: job.parameters,
          correlationId: job.correlationId,
          ...(job.datasetId ? { datasetId: job.datasetId } : {}),
          ...(job.parentJobId ? { parentJobId: job.parentJobId } : {}),
          ...(job.idempotencyKey ? { idempotencyKey: job.idempotencyKey } : {}),
          ...(job.maxAttempts ? { maxAttempts: job.maxAttempts } : {}),
        },
      });
      return { job: created, created: true };
    } catch (error) {
      // Two submitters raced on the same idempotency key: the other one's row wins.
      if ((error as { code?: string }).code === 'P2002') {
        const winner = await this.prisma.job.findFirst({ where: { OR: [...(job.id ? [{ id: job.id }] : []), ...(job.idempotencyKey ? [{ idempotencyKey: job.idempotencyKey }] : [])] } });
        if (winner) return { job: winner, created: false };
      }
      throw error;
    }
  }

  /** Takes the job if it is queued, or running under an expired lease with attempts left. */
  async claim(jobId: string, workerId: string, leaseMs: number): Promise<ClaimOutcome> {
    const now = this.now();
    const claimed = await this.prisma.job.updateMany({
      where: {
        id: jobId,
        cancelRequestedAt: null,
        attempt: { lt: this.prisma.job.fields.maxAttempts },
        OR: [{ status: 'queued' }, { status: 'running', leaseExpiresAt: { lt: now } }],
      },
      data: { status: 'running', leaseOwner: workerId, leaseExpiresAt: new Date(now.getTime() + leaseMs), heartbeatAt: now, attempt: { increment: 1 }, startedAt: now, error: null },
    });
    const job = await this.prisma.job.findUnique({ where: { id: jobId } });
    if (!job) return { outcome: 'skipped', reason: `job ${jobId} does not exist` };
    if (claimed.count === 1) return { outcome: 'claimed', job };
    if (job.cancelRequestedAt && job.status !== 'cancelled' && job.status !== 'succeeded' && job.status !== 'failed') {
      await this.prisma.job.updateMany({ where: { id: jobId, status: 'queued' }, data: { status: 'cancelled', finishedAt: now } });
      return { outcome: 'skipped', reason: 'cancelled before it started', job };
    }
    if (job.status === 'running' && job.leaseExpiresAt && job.leaseExpiresAt >= now) return { outcome: 'skipped', reason: `running on ${job.leaseOwner} (lease until ${job.leaseExpiresAt.toISOString()})`, job };
    if (job.status === 'running' || job.status === 'queued') {
      const failed = await this.failExhausted(job.id, now);
      return { outcome: 'skipped', reason: failed ? `gave up after ${job.attempt} attempt(s)` : 'state changed concurrently', job };
    }
    return { outcome: 'skipped', reason: `already ${job.status}`, job };
  }

  /** Renews the lease and records progress. Tells the worker to stop when it lost the lease or a cancel was asked. */
  async heartbeat(jobId: string, workerId: string, leaseMs: number, progress?: Prisma.InputJsonValue): Promise<{ leaseHeld: boolean; cancelRequested: boolean }> {
    const now = this.now();
    const renewed = await this.prisma.job.updateMany({
      where: { id: jobId, status: 'running', leaseOwner: workerId },
      data: { leaseExpiresAt: new Date(now.getTime() + leaseMs), heartbeatAt: now, ...(progress !== undefined ? { progress } : {}) },
    });
    const job = await this.prisma.job.findUnique({ where: { id: jobId }, select: { cancelRequestedAt: true } });
    return { leaseHeld: renewed.count === 1, cancelRequested: Boolean(job?.cancelRequestedAt) };
  }

  async succeed(jobId: string, workerId: string, result: Prisma.InputJsonValue): Promise<boolean> {
    const done = await this.prisma.job.updateMany({
      where: { id: jobId, status: 'running', leaseOwner: workerId },
      data: { status: 'succeeded', result, finishedAt: this.now(), leaseOwner: null, leaseExpiresAt: null },
    });
    return done.count === 1;
  }

  /** A retryable failure goes back to the queue while attempts remain; anything else fails the job for good. */
  async fail(jobId: string, workerId: string, reason: string, retryable: boolean): Promise<'requeued' | 'failed' | 'not-held'> {
    const now = this.now();
    if (retryable) {
      const requeued = await this.prisma.job.updateMany({
        where: { id: jobId, status: 'running', leaseOwner: workerId, attempt: { lt: this.prisma.job.fields.maxAttempts } },
        data: { status: 'queued', error: reason, leaseOwner: null, leaseExpiresAt: null },
      });
      if (requeued.count === 1) return 'requeued';
    }
    const failed = await this.prisma.job.updateMany({
      where: { id: jobId, status: 'running', leaseOwner: workerId },
      data: { status: 'failed', error: reason, finishedAt: now, leaseOwner: null, leaseExpiresAt: null },
    });
    return failed.count === 1 ? 'failed' : 'not-held';
  }

  async cancelled(jobId: string, workerId: string): Promise<boolean> {
    const done = await this.prisma.job.updateMany({ where: { id: jobId, status: 'running', leaseOwner: workerId }, data: { status: 'cancelled', finishedAt: this.now(), leaseOwner: null, leaseExpiresAt: null } });
    return done.count === 1;
  }

  /** Asks a job to stop: a queued job is cancelled at once, a running one at its next batch or epoch. */
  async requestCancel(jobId: string): Promise<Job | null> {
    const now = this.now();
    await this.prisma.job.updateMany({ where: { id: jobId, status: { in: ['queued', 'running'] }, cancelRequestedAt: null }, data: { cancelRequestedAt: now } });
    await this.prisma.job.updateMany({ where: { id: jobId, status: 'queued' }, data: { status: 'cancelled', finishedAt: now } });
    return this.prisma.job.findUnique({ where: { id: jobId } });
  }

  /**
   * Finds jobs whose worker died (lease expired). Those with attempts left go back to `queued`
   * (the caller re-publishes their request); the rest fail with the reason.
   */
  async sweepExpiredLeases(): Promise<{ requeued: Job[]; failed: Job[] }> {
    const now = this.now();
    const expired = await this.prisma.job.findMany({ where: { status: 'running', leaseExpiresAt: { lt: now } } });
    const requeued: Job[] = [];
    const failed: Job[] = [];
    for (const job of expired) {
      const back = await this.prisma.job.updateMany({
        where: { id: job.id, status: 'running', leaseExpiresAt: { lt: now }, attempt: { lt: this.prisma.job.fields.maxAttempts } },
        data: { status: 'queued', error: `worker ${job.leaseOwner} lost its lease (attempt ${job.attempt})`, leaseOwner: null, leaseExpiresAt: null },
      });
      if (back.count === 1) requeued.push(job);
      else if (await this.failExhausted(job.id, now)) failed.push(job);
    }
    return { requeued, failed };
  }

  private async failExhausted(jobId: string, now: Date): Promise<boolean> {
    const job = await this.prisma.job.findUnique({ where: { id: jobId } });
    if (!job) return false;
    const done = await this.prisma.job.updateMany({
      where: { id: jobId, status: { in: ['running', 'queued'] }, attempt: { gte: this.prisma.job.fields.maxAttempts }, OR: [{ status: 'queued' }, { leaseExpiresAt: { lt: now } }] },
      data: { status: 'failed', error: `worker lost ${job.attempt} time(s); giving up after ${job.maxAttempts} attempt(s)${job.error ? `: last error: ${job.error}` : ''}`, finishedAt: now, leaseOwner: null, leaseExpiresAt: null },
    });
    return done.count === 1;
  }
}
