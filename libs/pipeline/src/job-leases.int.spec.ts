import { randomUUID } from 'node:crypto';
import { createPrismaClient, type PrismaClient } from '@tern/db';
import { testDatabaseUrl } from '@tern/db/testing';
import { JobRepository } from './job-repository';

describe('job rows with leases (real Postgres)', () => {
  let prisma: PrismaClient;
  let clock = new Date('2026-11-28T10:00:00Z');
  let jobs: JobRepository;
  const advance = (ms: number) => (clock = new Date(clock.getTime() + ms));

  beforeAll(() => {
    prisma = createPrismaClient({ url: testDatabaseUrl() });
    jobs = new JobRepository(prisma, () => clock);
  });
  afterAll(async () => {
    await prisma.$disconnect();
  });

  const newJob = (maxAttempts = 3) => jobs.create({ type: 'extraction', parameters: { baseModelId: 'm' }, correlationId: randomUUID(), maxAttempts }).then((r) => r.job);

  it('returns the existing job for a resubmitted idempotency key', async () => {
    const key = `retrain-${randomUUID()}`;
    const first = await jobs.create({ type: 'retraining', parameters: {}, correlationId: 'c', idempotencyKey: key });
    const again = await jobs.create({ type: 'retraining', parameters: {}, correlationId: 'c', idempotencyKey: key });
    expect(first.created).toBe(true);
    expect(again).toEqual({ job: first.job, created: false });
  });

  it('lets one worker hold a job; a redelivered request is skipped while the lease holds and after success', async () => {
    const job = await newJob();
    expect((await jobs.claim(job.id, 'worker-a', 30_000)).outcome).toBe('claimed');
    const second = await jobs.claim(job.id, 'worker-b', 30_000);
    expect(second).toMatchObject({ outcome: 'skipped', reason: expect.stringMatching(/running on worker-a/) });
    advance(20_000);
    expect(await jobs.heartbeat(job.id, 'worker-a', 30_000, { stage: 'extraction', done: 5, total: 10 })).toEqual({ leaseHeld: true, cancelRequested: false });
    advance(20_000); // 40 s after the claim, but only 20 s after the renewal
    expect((await jobs.claim(job.id, 'worker-b', 30_000)).outcome).toBe('skipped');
    expect(await jobs.succeed(job.id, 'worker-a', { computed: 10 })).toBe(true);
    expect(await jobs.claim(job.id, 'worker-b', 30_000)).toMatchObject({ outcome: 'skipped', reason: 'already succeeded' });
    const row = await prisma.job.findUniqueOrThrow({ where: { id: job.id } });
    expect(row).toMatchObject({ status: 'succeeded', attempt: 1, leaseOwner: null, progress: { done: 5, total: 10 } });
  });

  it('gives a dead worker’s job to another after its lease expires; the dead one cannot finish it', async () => {
    const job = await newJob();
    await jobs.claim(job.id, 'dead-worker', 10_000);
    advance(11_000);
    const taken = await jobs.claim(job.id, 'worker-b', 10_000);
    expect(taken).toMatchObject({ outcome: 'claimed', job: { attempt: 2, leaseOwner: 'worker-b' } });
    expect(await jobs.heartbeat(job.id, 'dead-worker', 10_000)).toMatchObject({ leaseHeld: false });
    expect(await jobs.succeed(job.id, 'dead-worker', {})).toBe(false);
    expect(await jobs.succeed(job.id, 'worker-b', {})).toBe(true);
  });

  it('sweeps expired leases: requeues while attempts remain, then fails with the reason; none stays running', async () => {
    const job = await newJob(2);
    await jobs.claim(job.id, 'w1', 5_000);
    advance(6_000);
    const first = await jobs.sweepExpiredLeases();
    expect(first.requeued.map((j) => j.id)).toContain(job.id);
    await jobs.claim(job.id, 'w2', 5_000);
    advance(6_000);
    const second = await jobs.sweepExpiredLeases();
    expect(second.failed.map((j) => j.id)).toContain(job.id);
    const row = await prisma.job.findUniqueOrThrow({ where: { id: job.id } });
    expect(row.status).toBe('failed');
    expect(row.error).toMatch(/giving up after 2 attempt\(s\)/);
    expect(await prisma.job.count({ where: { status: 'running', leaseExpiresAt: { lt: clock } } })).toBe(0);
  });

  it('requeues retryable failures, fails the others, and cancels at the next heartbeat', async () => {
    const retry = await newJob();
    await jobs.claim(retry.id, 'w', 5_000);
    expect(await jobs.fail(retry.id, 'w', 'broker unavailable', true)).toBe('requeued');
    await jobs.claim(retry.id, 'w', 5_000);
    expect(await jobs.fail(retry.id, 'w', 'dataset has one class', false)).toBe('failed');
    expect((await prisma.job.findUniqueOrThrow({ where: { id: retry.id } })).error).toBe('dataset has one class');

    const queued = await newJob();
    expect((await jobs.requestCancel(queued.id))?.status).toBe('cancelled');
    expect(await jobs.claim(queued.id, 'w', 5_000)).toMatchObject({ outcome: 'skipped', reason: 'already cancelled' });

    const running = await newJob();
    await jobs.claim(running.id, 'w', 5_000);
    await jobs.requestCancel(running.id);
    expect(await jobs.heartbeat(running.id, 'w', 5_000)).toEqual({ leaseHeld: true, cancelRequested: true });
    expect(await jobs.cancelled(running.id, 'w')).toBe(true);
  });
});
