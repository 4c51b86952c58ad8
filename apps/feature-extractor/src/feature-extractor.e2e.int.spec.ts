import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { Topics } from '@tern/contracts';
import type { PrismaClient } from '@tern/db';
import type { EventPublisher, KafkaSettings } from '@tern/messaging';
import { eventually } from '@tern/messaging/testing';
import { seedEmojiDataset, startHarness, type EventRecorder, type Harness } from '@tern/pipeline/testing';

const topics = [Topics.extractionRequested, Topics.extractionProgress, Topics.extractionCompleted, Topics.extractionFailed];

describe('feature-extractor service on real Kafka and Postgres', () => {
  let h: Harness;
  let kafka: Kafka;
  let prisma: PrismaClient;
  let publisher: EventPublisher;
  let recorder: EventRecorder;
  let settings: KafkaSettings;
  const startWorker = (id: string) => h.startWorker('feature-extractor', id);

  async function seedDataset(perClass: number): Promise<{ datasetId: string; hashes: string[] }> {
    const seeded = await seedEmojiDataset(prisma, ['Food & Drink', 'Flags'], perClass, 31);
    // Start from a cold cache for these images.
    await prisma.embedding.deleteMany({ where: { contentHash: { in: seeded.hashes }, baseModelName: 'mobilenet_v2_mid', layer: 'feature_vector' } });
    return seeded;
  }

  const request = (jobId: string, datasetId: string, extra: Record<string, unknown> = {}) =>
    publisher.publish(Topics.extractionRequested, { jobId, datasetId, baseModelId: 'mobilenet_v2_mid', batchSize: 2, ...extra }, { key: jobId, correlationId: `e2e-${jobId}` });
  const eventsOf = (type: string, jobId: string) => recorder.of(type, jobId);

  beforeAll(async () => {
    h = await startHarness(topics);
    ({ kafka, prisma, publisher, recorder, settings } = h);
  }, 60_000);
  afterAll(() => h.close());

  it('extracts a dataset once, skips the redelivered request, reuses the cache for the next job, and fails bad requests with a reason', async () => {
    const worker = startWorker('worker-1');
    const { datasetId, hashes } = await seedDataset(4);
    const jobId = randomUUID();
    await request(jobId, datasetId);
    await eventually(() => eventsOf(Topics.extractionCompleted, jobId).length === 1, 120_000, 'extraction completed');
    expect(eventsOf(Topics.extractionCompleted, jobId)[0]!.payload).toMatchObject({ computed: 8, reusedFromCache: 0, failed: [] });
    expect(eventsOf(Topics.extractionProgress, jobId).length).toBeGreaterThan(0);
    expect(await prisma.job.findUniqueOrThrow({ where: { id: jobId } })).toMatchObject({ status: 'succeeded', attempt: 1, leaseOwner: null });
    expect(await prisma.embedding.count({ where: { contentHash: { in: hashes }, layer: 'feature_vector' } })).toBe(8);

    // At-least-once delivery: the same request again is recognised and skipped.
    await request(jobId, datasetId);
    const again = randomUUID();
    await request(again, datasetId);
    await eventually(() => eventsOf(Topics.extractionCompleted, again).length === 1, 60_000, 'second job');
    expect(eventsOf(Topics.extractionCompleted, again)[0]!.payload).toMatchObject({ computed: 0, reusedFromCache: 8 });
    expect(eventsOf(Topics.extractionCompleted, jobId)).toHaveLength(1);
    expect(await prisma.embedding.count({ where: { contentHash: { in: hashes }, layer: 'feature_vector' } })).toBe(8);

    const unknownDataset = randomUUID();
    await request(unknownDataset, randomUUID());
    const unknownBase = randomUUID();
    await request(unknownBase, datasetId, { baseModelId: 'resnet_9000' });
    await eventually(() => eventsOf(Topics.extractionFailed, unknownDataset).length + eventsOf(Topics.extractionFailed, unknownBase).length === 2, 60_000, 'two failures');
    expect(eventsOf(Topics.extractionFailed, unknownDataset)[0]!.payload).toMatchObject({ retryable: false, reason: expect.stringMatching(/dataset .* does not exist/) });
    expect(eventsOf(Topics.extractionFailed, unknownBase)[0]!.payload['reason']).toMatch(/unknown base model "resnet_9000"/);
    expect((await prisma.job.findUniqueOrThrow({ where: { id: unknownBase } })).status).toBe('failed');

    // A request that breaks the schema (bad batch size) is dead-lettered, and its job is failed with the reason.
    const badParams = randomUUID();
    const raw = kafka.producer();
    await raw.connect();
    await raw.send({ topic: `${settings.topicPrefix}${Topics.extractionRequested}`, messages: [{ key: badParams, value: JSON.stringify({ eventId: randomUUID(), correlationId: 'raw', occurredAt: new Date().toISOString(), type: Topics.extractionRequested, schemaVersion: 1, producer: 'raw', payload: { jobId: badParams, datasetId, baseModelId: 'mobilenet_v2_mid', batchSize: 0 } }) }] });
    await raw.disconnect();
    await eventually(async () => (await prisma.job.findUnique({ where: { id: badParams } }))?.status === 'failed', 60_000, 'the invalid request to fail its job');
    expect((await prisma.job.findUniqueOrThrow({ where: { id: badParams } })).error).toMatch(/invalid request: .*payload\.batchSize/);
    worker.kill('SIGTERM');
  }, 240_000);

  it('a worker killed mid-job leaves no job stuck: another finishes it, with no duplicate embeddings', async () => {
    const first = startWorker('doomed-worker');
    const { datasetId, hashes } = await seedDataset(12);
    const jobId = randomUUID();
    await request(jobId, datasetId);
    await eventually(() => eventsOf(Topics.extractionProgress, jobId).length >= 1, 120_000, 'the first batch');
    first.kill('SIGKILL');
    expect((await prisma.job.findUniqueOrThrow({ where: { id: jobId } })).status).toBe('running');

    startWorker('rescue-worker');
    await eventually(() => eventsOf(Topics.extractionCompleted, jobId).length === 1, 180_000, 'the rescued job');
    const job = await prisma.job.findUniqueOrThrow({ where: { id: jobId } });
    expect(job).toMatchObject({ status: 'succeeded', attempt: 2 });
    const completed = eventsOf(Topics.extractionCompleted, jobId)[0]!.payload as { computed: number; reusedFromCache: number };
    expect(completed.computed + completed.reusedFromCache).toBe(24);
    expect(completed.reusedFromCache).toBeGreaterThan(0); // what the dead worker finished was kept
    expect(await prisma.embedding.count({ where: { contentHash: { in: hashes }, layer: 'feature_vector' } })).toBe(24);
  }, 300_000);
});
