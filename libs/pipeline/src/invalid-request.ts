import { Topics, type TopicName } from '@tern/contracts';
import type { JobType } from '@tern/db';
import type { WorkerDeps } from './worker-deps';

const jobTypeOfTopic: Partial<Record<TopicName, JobType>> = {
  [Topics.extractionRequested]: 'extraction',
  [Topics.headTrainingRequested]: 'head_training',
  [Topics.fineTuningRequested]: 'fine_tuning',
  [Topics.pipelineRequested]: 'pipeline',
};

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A request that fails its schema never reaches a handler (it is dead-lettered). If it still names
 * a job id, record that job as failed with the validation reason, so nobody waits on it forever.
 */
export async function failJobOfInvalidRequest(deps: Pick<WorkerDeps, 'prisma' | 'logger'>, info: { topic: TopicName; value: Buffer | null; reason: string }): Promise<void> {
  const type = jobTypeOfTopic[info.topic];
  if (!type || !info.value) return;
  let jobId: unknown;
  try {
    jobId = (JSON.parse(info.value.toString('utf8')) as { payload?: { jobId?: unknown } }).payload?.jobId;
  } catch {
    return;
  }
  if (typeof jobId !== 'string' || !uuid.test(jobId)) return;
  const error = `invalid request: ${info.reason}`;
  const existing = await deps.prisma.job.findUnique({ where: { id: jobId } });
  if (existing) await deps.prisma.job.updateMany({ where: { id: jobId, status: 'queued' }, data: { status: 'failed', error, finishedAt: new Date() } });
  else await deps.prisma.job.create({ data: { id: jobId, type, status: 'failed', error, parameters: {}, correlationId: 'invalid-request', finishedAt: new Date() } }).catch(() => undefined);
  deps.logger.warn('invalid request: job failed', { jobId, reason: info.reason });
}
