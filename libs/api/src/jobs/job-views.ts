import type { EpochMetric, JobUpdate, JobView } from '@tern/contracts';
import type { Job, PrismaClient } from '@tern/db';

export function toJobView(job: Job): JobView {
  return {
    id: job.id,
    type: job.type,
    status: job.status,
    datasetId: job.datasetId,
    parentJobId: job.parentJobId,
    progress: (job.progress as Record<string, unknown> | null) ?? null,
    result: job.result ?? null,
    error: job.error,
    attempt: job.attempt,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}

export const isFinished = (status: string) => status === 'succeeded' || status === 'failed' || status === 'cancelled';

/** A job with its steps (for pipelines) and every epoch recorded so far, oldest first. */
export async function jobSnapshot(prisma: PrismaClient, jobId: string): Promise<JobUpdate | undefined> {
  const job = await prisma.job.findUnique({ where: { id: jobId } });
  if (!job) return undefined;
  const steps = await prisma.job.findMany({ where: { parentJobId: jobId }, orderBy: { createdAt: 'asc' } });
  const metrics = await prisma.trainingMetric.findMany({ where: { jobId: { in: [jobId, ...steps.map((s) => s.id)] } }, orderBy: [{ createdAt: 'asc' }, { epoch: 'asc' }] });
  const epochs: EpochMetric[] = metrics.map((m) => ({ jobId: m.jobId, stage: m.stage, epoch: m.epoch, loss: m.loss, accuracy: m.accuracy, valLoss: m.valLoss, valAccuracy: m.valAccuracy }));
  return { job: toJobView(job), steps: steps.map(toJobView), epochs };
}

/** A fingerprint that changes whenever a follower should hear about the job. */
export const snapshotVersion = (s: JobUpdate) => JSON.stringify([s.job.status, s.job.progress, s.steps.map((x) => [x.status, x.progress]), s.epochs.length]);

/**
 * Polls the job row (the source of truth) and yields a snapshot on every change until the job
 * finishes or `signal` aborts. Used by SSE and gRPC WatchJob.
 */
export async function* watchJob(prisma: PrismaClient, jobId: string, signal: AbortSignal, intervalMs = 500): AsyncGenerator<JobUpdate> {
  let last = '';
  while (!signal.aborted) {
    const snapshot = await jobSnapshot(prisma, jobId);
    if (!snapshot) return;
    const version = snapshotVersion(snapshot);
    if (version !== last) {
      last = version;
      yield snapshot;
    }
    if (isFinished(snapshot.job.status)) return;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
