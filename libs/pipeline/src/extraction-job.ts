import type { Envelope, PayloadOf } from '@tern/contracts';
import { Topics } from '@tern/contracts';
import type { HandlerContext, HandlerOutcome } from '@tern/messaging';
import { createFeatureExtractor, extractEmbeddings, type FeatureExtractor } from '@tern/ml';
import { acquireJob, InvalidRequest, jobErrorOutcome, jobFailer, requestedBase } from './acquire-job';
import { ensureBaseModelRow, PostgresEmbeddingStore } from './postgres-embedding-store';
import { sampleSource } from './sample-source';
import type { WorkerDeps } from './worker-deps';

export type ExtractionWorkerDeps = Omit<WorkerDeps, 'artifacts'>;

type Request = Envelope<PayloadOf<'tern.extraction.requested.v1'>>;

/**
 * Handles one extraction request: claims the job row, computes the embeddings missing from the
 * Postgres cache, reports progress, and records the outcome. Redelivered requests for a job that
 * is done or held by a live worker are skipped; one held by a dead worker is taken over once its
 * lease expires.
 */
export async function handleExtractionRequest(deps: ExtractionWorkerDeps, event: Request, ctx: HandlerContext): Promise<HandlerOutcome> {
  const p = event.payload;
  const log = deps.logger.child({ jobId: p.jobId, correlationId: event.correlationId });
  const dataset = await deps.prisma.dataset.findUnique({ where: { id: p.datasetId }, select: { id: true } });
  const acquired = await acquireJob(deps, { id: p.jobId, type: 'extraction', ...(dataset ? { datasetId: p.datasetId } : {}), parameters: p, correlationId: event.correlationId }, ctx);
  if ('skipped' in acquired) return { status: 'skipped', reason: acquired.skipped };
  const fail = jobFailer(deps, Topics.extractionFailed, 'extraction', event, acquired.job.attempt);

  try {
    if (!dataset) throw new InvalidRequest(`dataset ${p.datasetId} does not exist`);
    const { descriptor } = await requestedBase(deps.prisma, p.baseModelId, p.layer);
    const all = await deps.prisma.sample.findMany({ where: { datasetId: p.datasetId }, select: { id: true, contentHash: true, storageUri: true }, orderBy: { createdAt: 'asc' } });
    if (all.length === 0) throw new InvalidRequest(`dataset ${p.datasetId} has no samples`);
    // Shards split by content hash: disjoint, so no two extractors compute the same embedding.
    const samples = p.shard ? all.filter((s) => shardOf(s.contentHash, p.shard!.count) === p.shard!.index) : all;

    const base = await deps.loadBase(descriptor.id);
    await ensureBaseModelRow(deps.prisma, base.descriptor, base.weightsHash);
    const extractor: FeatureExtractor = createFeatureExtractor(base, p.layer);
    const stop = new AbortController();
    let cancelled = false;
    const started = Date.now();
    const result = await extractEmbeddings(samples.map(sampleSource), extractor, new PostgresEmbeddingStore(deps.prisma), {
      batchSize: p.batchSize,
      signal: stop.signal,
      onProgress: (progress) => {
        // Fire and forget per batch; the signal is checked before the next batch.
        void (async () => {
          const beat = await deps.jobs.heartbeat(p.jobId, deps.workerId, deps.leaseMs, { stage: 'extraction', ...progress });
          if (beat.cancelRequested || !beat.leaseHeld) {
            cancelled = beat.cancelRequested;
            stop.abort();
          }
          await deps.publisher.publish(Topics.extractionProgress, { jobId: p.jobId, jobType: 'extraction', stage: 'extraction', done: progress.done, total: progress.total }, { key: p.jobId, correlationId: event.correlationId });
          await ctx.heartbeat().catch(() => undefined);
        })().catch((error: Error) => log.warn('progress update failed', { error }));
      },
    }).catch(async (error: Error) => {
      if (!stop.signal.aborted) throw error;
      if (cancelled) await deps.jobs.cancelled(p.jobId, deps.workerId);
      return undefined;
    });
    if (!result) {
      log.info(cancelled ? 'extraction cancelled' : 'lease lost; stopping');
      return { status: 'skipped', reason: cancelled ? 'cancelled' : 'lease lost' };
    }
    const summary = { workerId: deps.workerId, computed: result.computed, reusedFromCache: result.reused, failed: result.failed.slice(0, 1000).map((f) => ({ sampleId: f.id, reason: f.reason })), durationMs: Date.now() - started };
    if (!(await deps.jobs.succeed(p.jobId, deps.workerId, summary))) return { status: 'skipped', reason: 'lease lost before completion' };
    const { workerId: _worker, ...completed } = summary;
    await deps.publisher.publish(Topics.extractionCompleted, { jobId: p.jobId, datasetId: p.datasetId, ...completed }, { key: p.jobId, correlationId: event.correlationId, causationId: event.eventId });
    log.info('extraction completed', { computed: result.computed, reused: result.reused, failed: result.failed.length });
    return { status: 'processed' };
  } catch (error) {
    return jobErrorOutcome(error, fail);
  }
}

/** Which of `count` shards a sample belongs to, from its content hash. */
export function shardOf(contentHash: string, count: number): number {
  return parseInt(contentHash.slice(0, 8), 16) % count;
}
