import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { Topics } from '@tern/contracts';
import { createPrismaClient, type PrismaClient } from '@tern/db';
import { testDatabaseUrl } from '@tern/db/testing';
import { ensureTopics, EventPublisher } from '@tern/messaging';
import { eventually, testKafka, testKafkaSettings } from '@tern/messaging/testing';
import { EventRecorder, killAll, seedEmojiDataset, startWorkerProcess } from '@tern/pipeline/testing';

const topics = [Topics.extractionRequested, Topics.extractionProgress, Topics.extractionCompleted, Topics.extractionFailed];

describe('feature-extractor service on real Kafka and Postgres', () => {
  const settings = testKafkaSettings();
  let kafka: Kafka;
  let prisma: PrismaClient;
  let publisher: EventPublisher;
  const workers: ChildProcess[] = [];
  const recorder = new EventRecorder();

  const startWorker = (id: string) => {
    const child = startWorkerProcess('feature-extractor', id, settings, testDatabaseUrl());
    workers.push(child);
    return child;
  };

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
    kafka = testKafka(settings);
    await ensureTopics(kafka, { topicPrefix: settings.topicPrefix, topics, partitions: 2 });
    prisma = createPrismaClient({ url: testDatabaseUrl() });
    publisher = new EventPublisher(kafka, 'e2e-test', settings.topicPrefix);
    await recorder.start(kafka, topics.slice(1), settings.topicPrefix);
  }, 60_000);
  afterAll(async () => {
    killAll(workers);
    await recorder.stop();
    await publisher.disconnect();
    await prisma.$disconnect();
  });

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
