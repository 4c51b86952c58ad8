import { randomUUID } from 'node:crypto';
import { allTopics, Topics } from '@tern/contracts';
import type { PrismaClient } from '@tern/db';
import type { EventPublisher } from '@tern/messaging';
import { eventually } from '@tern/messaging/testing';
import { seedEmojiDataset, startHarness, type EventRecorder, type Harness } from '@tern/pipeline/testing';

describe('pipeline and Kafka-driven retraining end to end (four services, real Kafka and Postgres)', () => {
  let h: Harness;
  let prisma: PrismaClient;
  let publisher: EventPublisher;
  let recorder: EventRecorder;

  beforeAll(async () => {
    h = await startHarness(allTopics, [Topics.pipelineCompleted, Topics.pipelineFailed, Topics.modelPromotionDecided, Topics.extractionCompleted]);
    ({ prisma, publisher, recorder } = h);
    for (const app of ['feature-extractor', 'head-trainer', 'fine-tuner', 'pipeline-orchestrator']) h.startWorker(app, `${app}-1`);
    // A second extractor in the same consumer group: they share the extraction partitions.
    h.startWorker('feature-extractor', 'feature-extractor-2');
  }, 60_000);
  afterAll(() => h.close());

  const pipelinesOf = (datasetId: string) => recorder.events.filter((e) => e.type === Topics.pipelineCompleted && e.payload['datasetId'] === datasetId);
  const decisionsOf = (datasetId: string) => recorder.events.filter((e) => e.type === Topics.modelPromotionDecided && e.payload['datasetId'] === datasetId);

  it('runs extract → head → promotion, then retrains on events: reuses every embedding and promotes only a better (or forced) model', async () => {
    const { datasetId } = await seedEmojiDataset(prisma, ['Flags', 'Smileys & Emotion'], 12, 17);
    const pipelineId = randomUUID();
    await publisher.publish(Topics.pipelineRequested, { jobId: pipelineId, datasetId, baseModelId: 'mobilenet_v2_mid', head: { epochs: 30, learningRate: 0.003, seed: 4 }, promote: true }, { key: datasetId, correlationId: 'pipeline-e2e' });
    await eventually(() => pipelinesOf(datasetId).length === 1, 180_000, 'the pipeline');
    const first = pipelinesOf(datasetId)[0]!.payload as { finalModelId: string; promoted: boolean };
    expect(first.promoted).toBe(true);
    expect(decisionsOf(datasetId)[0]!.payload).toMatchObject({ promoted: true, reason: 'no production model yet' });
    const steps = await prisma.job.findMany({ where: { parentJobId: pipelineId }, orderBy: { createdAt: 'asc' } });
    expect(steps.map((s) => [s.type, s.status])).toEqual([['extraction', 'succeeded'], ['head_training', 'succeeded']]);
    expect((await prisma.job.findUniqueOrThrow({ where: { id: pipelineId } })).status).toBe('succeeded');
    const model = await prisma.trainedModel.findUniqueOrThrow({ where: { id: first.finalModelId } });
    expect(model.testAccuracy).toBeGreaterThanOrEqual(0.75);

    // Retraining event from another system: same data and settings, so the new model is no better.
    const key = `nightly-${randomUUID()}`;
    await publisher.publish(Topics.datasetRetrainRequested, { datasetId, reason: 'nightly', idempotencyKey: key }, { key: datasetId, correlationId: 'retrain-e2e' });
    await eventually(() => pipelinesOf(datasetId).length === 2, 180_000, 'the retraining');
    const extractions = recorder.events.filter((e) => e.type === Topics.extractionCompleted && e.payload['datasetId'] === datasetId);
    expect(extractions.at(-1)!.payload).toMatchObject({ computed: 0, reusedFromCache: 24 });
    const decision = decisionsOf(datasetId)[1]!.payload;
    expect(decision).toMatchObject({ promoted: false, previousModelId: model.id });
    expect(decision['candidateScore']).toBe(decision['previousScore']);
    expect(decision['reason']).toMatch(/does not beat production/);
    const retraining = await prisma.job.findFirstOrThrow({ where: { datasetId, type: 'retraining' } });
    expect(retraining.result).toMatchObject({ promoted: false, promotion: { previousModelId: model.id, candidateScore: decision['candidateScore'], previousScore: decision['previousScore'] } });
    expect((await prisma.modelAlias.findUniqueOrThrow({ where: { datasetId_alias: { datasetId, alias: 'production' } } })).modelId).toBe(model.id);

    // The same request re-sent: recognised by its idempotency key, no third pipeline. A forced one promotes.
    await publisher.publish(Topics.datasetRetrainRequested, { datasetId, idempotencyKey: key }, { key: datasetId, correlationId: 'retrain-e2e' });
    await publisher.publish(Topics.datasetRetrainRequested, { datasetId, forcePromotion: true }, { key: datasetId, correlationId: 'retrain-e2e' });
    await eventually(() => pipelinesOf(datasetId).length === 3, 180_000, 'the forced retraining');
    expect(decisionsOf(datasetId)[2]!.payload).toMatchObject({ promoted: true, forced: true });
    expect(await prisma.job.count({ where: { datasetId, type: 'retraining' } })).toBe(2);
    expect(await prisma.trainedModel.count({ where: { datasetId } })).toBe(3);
  }, 420_000);

  it('chains fine-tuning after the head: a fine_tuned version whose parent is the head, whose artifact is one layers model', async () => {
    const { datasetId } = await seedEmojiDataset(prisma, ['Flags', 'Smileys & Emotion'], 8, 23);
    const pipelineId = randomUUID();
    await publisher.publish(
      Topics.pipelineRequested,
      { jobId: pipelineId, datasetId, baseModelId: 'mobilenet_v2', head: { epochs: 20, learningRate: 0.003, seed: 2 }, fineTune: { unfreezeLayers: 1, epochs: 2, learningRate: 1e-4, batchSize: 8 }, promote: false },
      { key: datasetId, correlationId: 'ft-e2e' },
    );
    await eventually(() => pipelinesOf(datasetId).length === 1, 300_000, 'the fine-tuning pipeline');
    const done = pipelinesOf(datasetId)[0]!.payload as { modelIds: string[]; finalModelId: string; promoted: boolean };
    expect(done.modelIds).toHaveLength(2);
    expect(done.promoted).toBe(false);
    const [head, tuned] = await Promise.all(done.modelIds.map((id) => prisma.trainedModel.findUniqueOrThrow({ where: { id } })));
    expect(head!.kind).toBe('head');
    expect(tuned).toMatchObject({ kind: 'fine_tuned', parentModelId: head!.id, id: done.finalModelId });
    expect(await prisma.trainingMetric.count({ where: { modelId: tuned!.id, stage: 'fine_tune' } })).toBeGreaterThan(0);
    const steps = await prisma.job.findMany({ where: { parentJobId: pipelineId } });
    expect(steps.map((s) => s.type).sort()).toEqual(['extraction', 'fine_tuning', 'head_training']);
    expect(steps.every((s) => s.status === 'succeeded')).toBe(true);
  }, 360_000);

  it('splits extraction into shards that the extractors share, each embedding computed once, and trains after the last shard', async () => {
    const { datasetId, hashes } = await seedEmojiDataset(prisma, ['Objects', 'Symbols'], 20, 13);
    await prisma.embedding.deleteMany({ where: { contentHash: { in: hashes }, layer: 'feature_vector' } });
    const pipelineId = randomUUID();
    await publisher.publish(Topics.pipelineRequested, { jobId: pipelineId, datasetId, baseModelId: 'mobilenet_v2_mid', head: { epochs: 10 }, extractionShards: 4 }, { key: datasetId, correlationId: 'shards-e2e' });
    await eventually(() => pipelinesOf(datasetId).length === 1, 240_000, 'the sharded pipeline');
    const shards = await prisma.job.findMany({ where: { parentJobId: pipelineId, type: 'extraction' } });
    expect(shards).toHaveLength(4);
    expect(shards.every((s) => s.status === 'succeeded')).toBe(true);
    const computed = shards.map((s) => (s.result as { computed: number }).computed);
    expect(computed.reduce((a, b) => a + b, 0)).toBe(40);
    expect(await prisma.embedding.count({ where: { contentHash: { in: hashes }, layer: 'feature_vector' } })).toBe(40);
    const head = await prisma.job.findFirstOrThrow({ where: { parentJobId: pipelineId, type: 'head_training' } });
    expect(head.startedAt!.getTime()).toBeGreaterThanOrEqual(Math.max(...shards.map((s) => s.finishedAt!.getTime())));
    // Which extractor ran each shard (both may, depending on how the keys hash to partitions).
    process.stdout.write(`shard workers: ${shards.map((s) => (s.result as { workerId: string }).workerId).join(', ')}\n`);
  }, 300_000);

  it('cancels a running job at its next batch', async () => {
    const { datasetId, hashes } = await seedEmojiDataset(prisma, ['Travel & Places', 'Animals & Nature'], 60, 41);
    await prisma.embedding.deleteMany({ where: { contentHash: { in: hashes }, layer: 'block_16' } });
    const jobId = randomUUID();
    await publisher.publish(Topics.extractionRequested, { jobId, datasetId, baseModelId: 'mobilenet_v2_mid', layer: 'block_16', batchSize: 2 }, { key: jobId, correlationId: 'cancel-e2e' });
    await eventually(async () => (await prisma.job.findUnique({ where: { id: jobId } }))?.progress != null, 120_000, 'the job to make progress');
    await publisher.publish(Topics.jobCancelRequested, { jobId, reason: 'user changed their mind' }, { key: jobId, correlationId: 'cancel-e2e' });
    await eventually(async () => (await prisma.job.findUniqueOrThrow({ where: { id: jobId } })).status === 'cancelled', 60_000, 'cancellation');
    const stored = await prisma.embedding.count({ where: { contentHash: { in: hashes }, layer: 'block_16' } });
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThan(120);
    expect(recorder.events.some((e) => e.type === Topics.extractionCompleted && e.payload['jobId'] === jobId)).toBe(false);
  }, 240_000);

  it('fails a pipeline that cannot run, with the reason', async () => {
    const missing = randomUUID();
    await publisher.publish(Topics.pipelineRequested, { jobId: missing, datasetId: randomUUID(), baseModelId: 'mobilenet_v2_mid' }, { key: missing, correlationId: 'bad' });
    await eventually(() => recorder.events.some((e) => e.type === Topics.pipelineFailed && e.payload['jobId'] === missing), 60_000, 'the failure');
    expect(recorder.events.find((e) => e.type === Topics.pipelineFailed && e.payload['jobId'] === missing)!.payload['reason']).toMatch(/dataset .* does not exist/);
    const { datasetId } = await seedEmojiDataset(prisma, ['Flags', 'Food & Drink'], 2, 3);
    const graphFineTune = randomUUID();
    await publisher.publish(Topics.pipelineRequested, { jobId: graphFineTune, datasetId, baseModelId: 'mobilenet_v2_mid', fineTune: {} }, { key: graphFineTune, correlationId: 'bad' });
    await eventually(() => recorder.events.some((e) => e.type === Topics.pipelineFailed && e.payload['jobId'] === graphFineTune), 60_000, 'the second failure');
    expect(recorder.events.find((e) => e.type === Topics.pipelineFailed && e.payload['jobId'] === graphFineTune)!.payload['reason']).toMatch(/mobilenet_v2_mid cannot be fine-tuned/);
    expect(await prisma.job.count({ where: { parentJobId: graphFineTune } })).toBe(0);
  }, 90_000);
});
