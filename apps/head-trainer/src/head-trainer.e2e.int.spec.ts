import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Topics } from '@tern/contracts';
import type { PrismaClient } from '@tern/db';
import type { EventPublisher } from '@tern/messaging';
import { eventually } from '@tern/messaging/testing';
import { fileSource, initBackend, loadClassifier } from '@tern/ml';
import { emojiSubset } from '@tern/ml/testing';
import { freePort, seedEmojiDataset, startHarness, type EventRecorder, type Harness } from '@tern/pipeline/testing';

const topics = [
  Topics.extractionRequested, Topics.extractionCompleted, Topics.extractionFailed,
  Topics.headTrainingRequested, Topics.headTrainingProgress, Topics.headTrainingCompleted, Topics.headTrainingFailed, Topics.modelRegistered,
];

describe('head-trainer service: cached embeddings → registered model (real Kafka, Postgres, images)', () => {
  let h: Harness;
  let prisma: PrismaClient;
  let publisher: EventPublisher;
  let recorder: EventRecorder;
  let healthPort: number;

  beforeAll(async () => {
    healthPort = await freePort();
    h = await startHarness(topics);
    ({ prisma, publisher, recorder } = h);
    h.startWorker('feature-extractor', 'extractor-1');
    h.startWorker('head-trainer', 'trainer-1', { TERN_HEALTH_PORT: String(healthPort), TERN_HEALTH_HOST: '127.0.0.1' });
  }, 60_000);
  afterAll(() => h.close());

  const send = (topic: typeof Topics.extractionRequested | typeof Topics.headTrainingRequested, payload: Record<string, unknown>) =>
    publisher.publish(topic, payload as never, { key: String(payload['jobId']), correlationId: 'head-e2e' });

  it('answers the probes Kubernetes and Docker use once its consumer runs', async () => {
    await eventually(async () => (await fetch(`http://127.0.0.1:${healthPort}/health/ready`).catch(() => undefined))?.status === 200, 60_000, 'the readiness probe');
    const ready = (await (await fetch(`http://127.0.0.1:${healthPort}/health/ready`)).json()) as Record<string, unknown>;
    expect(ready).toMatchObject({ status: 'ok', service: 'head-trainer', workerId: 'trainer-1', database: 'ok' });
    expect((await fetch(`http://127.0.0.1:${healthPort}/health/live`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${healthPort}/nope`)).status).toBe(404);
  }, 90_000);

  it('trains on a real dataset, beats chance widely, registers one version per job, and the artifact predicts', async () => {
    // 20 images a class leave 12 for the test split: with 8, one mistake moved accuracy by 12.5 points.
    const { datasetId } = await seedEmojiDataset(prisma, ['Flags', 'Smileys & Emotion'], 20, 5);
    const extraction = randomUUID();
    await send(Topics.extractionRequested, { jobId: extraction, datasetId, baseModelId: 'mobilenet_v2_mid' });
    await eventually(() => recorder.of(Topics.extractionCompleted, extraction).length === 1, 120_000, 'extraction');

    const training = randomUUID();
    await send(Topics.headTrainingRequested, { jobId: training, datasetId, baseModelId: 'mobilenet_v2_mid', params: { epochs: 40, learningRate: 0.003, seed: 3 } });
    await eventually(() => recorder.of(Topics.headTrainingCompleted, training).length === 1, 120_000, 'head training');
    const done = recorder.of(Topics.headTrainingCompleted, training)[0]!.payload as { modelId: string; modelVersion: number; testAccuracy: number };
    expect(done.modelVersion).toBe(1);
    expect(done.testAccuracy).toBeGreaterThanOrEqual(0.8); // two classes: chance is 0.5
    expect(recorder.of(Topics.headTrainingProgress, training).length).toBeGreaterThan(0);
    // Published before the completion, but on another topic: the two may arrive in either order.
    await eventually(() => recorder.events.some((e) => e.type === Topics.modelRegistered && e.payload['modelId'] === done.modelId), 10_000, 'model registered');

    const model = await prisma.trainedModel.findUniqueOrThrow({ where: { id: done.modelId } });
    expect(model).toMatchObject({ kind: 'head', labels: ['Flags', 'Smileys & Emotion'], jobId: training });
    // No batch size was asked for: the model records the one chosen for 40 images, not 'auto'.
    expect(model.config).toMatchObject({ epochs: 40, learningRate: 0.003, batchSize: 32 });
    expect(await prisma.trainingMetric.count({ where: { jobId: training, modelId: model.id } })).toBeGreaterThan(0);

    await initBackend('wasm');
    const classifier = await loadClassifier(fileURLToPath(model.artifactUri));
    const face = emojiSubset(['Smileys & Emotion'], 40, 99).items.at(-1)!.source.id;
    const [prediction] = await classifier.predictImages([fileSource(face)], 2);
    expect(prediction && 'top' in prediction && prediction.top.map((t) => t.label).sort()).toEqual(['Flags', 'Smileys & Emotion']);
    classifier.dispose();

    // The same request again: skipped, still one model for the dataset.
    await send(Topics.headTrainingRequested, { jobId: training, datasetId, baseModelId: 'mobilenet_v2_mid' });
    const next = randomUUID();
    await send(Topics.headTrainingRequested, { jobId: next, datasetId, baseModelId: 'mobilenet_v2_mid', params: { epochs: 5 } });
    await eventually(() => recorder.of(Topics.headTrainingCompleted, next).length === 1, 120_000, 'second job');
    expect(await prisma.trainedModel.count({ where: { datasetId } })).toBe(2);
    expect((recorder.of(Topics.headTrainingCompleted, next)[0]!.payload as { modelVersion: number }).modelVersion).toBe(2);
    expect(recorder.of(Topics.headTrainingCompleted, training)).toHaveLength(1);
  }, 300_000);

  it('trains the same model from the same images, whatever order their rows come back in', async () => {
    const forward = await seedEmojiDataset(prisma, ['Flags', 'Food & Drink'], 12, 21);
    const backward = await seedEmojiDataset(prisma, ['Flags', 'Food & Drink'], 12, 21, { reversed: true });
    const extraction = randomUUID();
    await send(Topics.extractionRequested, { jobId: extraction, datasetId: forward.datasetId, baseModelId: 'mobilenet_v2_mid' });
    await eventually(() => recorder.of(Topics.extractionCompleted, extraction).length === 1, 120_000, 'extraction');
    // The second dataset holds the same images, so their embeddings are cached already.
    const jobs = [randomUUID(), randomUUID()] as const;
    await send(Topics.headTrainingRequested, { jobId: jobs[0], datasetId: forward.datasetId, baseModelId: 'mobilenet_v2_mid', params: { epochs: 6, seed: 4 } });
    await send(Topics.headTrainingRequested, { jobId: jobs[1], datasetId: backward.datasetId, baseModelId: 'mobilenet_v2_mid', params: { epochs: 6, seed: 4 } });
    await eventually(() => jobs.every((j) => recorder.of(Topics.headTrainingCompleted, j).length === 1), 120_000, 'both trainings');
    const curve = async (jobId: string) => (await prisma.trainingMetric.findMany({ where: { jobId }, orderBy: { epoch: 'asc' } })).map((m) => [m.loss, m.accuracy, m.valLoss]);
    const first = await curve(jobs[0]);
    expect(first).toHaveLength(6);
    expect(await curve(jobs[1])).toEqual(first);
  }, 300_000);

  it('fails invalid requests with a reason and registers nothing', async () => {
    const oneClass = await seedEmojiDataset(prisma, ['Flags'], 3, 5);
    const noEmbeddings = await seedEmojiDataset(prisma, ['Flags', 'Food & Drink'], 3, 8);
    await prisma.embedding.deleteMany({ where: { contentHash: { in: noEmbeddings.hashes }, layer: 'block_13' } });
    const a = randomUUID();
    const b = randomUUID();
    await send(Topics.headTrainingRequested, { jobId: a, datasetId: oneClass.datasetId, baseModelId: 'mobilenet_v2_mid' });
    await send(Topics.headTrainingRequested, { jobId: b, datasetId: noEmbeddings.datasetId, baseModelId: 'mobilenet_v2_mid', layer: 'block_13' });
    await eventually(() => recorder.of(Topics.headTrainingFailed, a).length + recorder.of(Topics.headTrainingFailed, b).length === 2, 60_000, 'two failures');
    expect(recorder.of(Topics.headTrainingFailed, a)[0]!.payload['reason']).toMatch(/1 class\(es\); a classifier needs at least two/);
    expect(recorder.of(Topics.headTrainingFailed, b)[0]!.payload['reason']).toMatch(/have no cached mobilenet_v2_mid\/block_13 embedding: run extraction first/);
    expect(await prisma.trainedModel.count({ where: { datasetId: { in: [oneClass.datasetId, noEmbeddings.datasetId] } } })).toBe(0);
  }, 120_000);
});
