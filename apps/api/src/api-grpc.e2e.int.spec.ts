import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { loadTernProto, type RunningApi } from '@tern/api';
import { startTestApi, tokenWith } from '@tern/api/testing';
import { allTopics } from '@tern/contracts';
import { testDatabaseUrl } from '@tern/db/testing';
import { emojiSubset } from '@tern/ml/testing';
import { seedEmojiDataset, startHarness, type Harness } from '@tern/pipeline/testing';

type Client = grpc.Client & Record<string, (...args: unknown[]) => unknown>;
interface GrpcJob { id: string; status: string; stage: string; resultJson: string }
interface Update { job: GrpcJob; epochs: { stage: string; epoch: number; loss: number; accuracy: number }[] }
interface Prediction { id: string; modelId: string; modelVersion: number; top: { label: string; probability: number }[]; error: string }

describe('gRPC api end to end with @grpc/grpc-js (real Postgres, Kafka and workers)', () => {
  let h: Harness;
  let api: RunningApi;
  let client: Client;
  let auth: grpc.Metadata;

  const unary = <T>(method: string, request: unknown, metadata = auth) =>
    new Promise<T>((resolve, reject) => client[method]!(request, metadata, (error: grpc.ServiceError | null, response: T) => (error ? reject(error) : resolve(response))));

  beforeAll(async () => {
    h = await startHarness(allTopics, []);
    for (const app of ['feature-extractor', 'head-trainer', 'pipeline-orchestrator']) h.startWorker(app, `${app}-grpc`);
    api = await startTestApi(testDatabaseUrl(), h.settings);
    const Tern = loadTernProto().tern.v1.Tern;
    client = new Tern(api.grpcAddress, grpc.credentials.createInsecure()) as unknown as Client;
    auth = new grpc.Metadata();
    auth.set('authorization', `Bearer ${await tokenWith(api, 'write')}`);
  }, 60_000);
  afterAll(async () => {
    client?.close();
    await api?.close();
    await h?.close();
  });

  it('SubmitJob, then WatchJob streams progress and each epoch once until the pipeline succeeds; Predict and PredictBatch use its model', async () => {
    const { datasetId } = await seedEmojiDataset(h.prisma, ['Flags', 'Food & Drink'], 10, 31);
    const job = await unary<GrpcJob>('submitJob', { parametersJson: JSON.stringify({ type: 'pipeline', datasetId, baseModelId: 'mobilenet_v2_mid', head: { epochs: 15, learningRate: 0.003, seed: 2 }, promote: true }) });
    expect(job.status).toBe('queued');

    const updates: Update[] = [];
    await new Promise<void>((resolve, reject) => {
      const stream = client['watchJob']!({ jobId: job.id }, auth) as grpc.ClientReadableStream<Update>;
      stream.on('data', (u: Update) => updates.push(u));
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    expect(updates.at(-1)!.job.status).toBe('succeeded');
    expect(updates.length).toBeGreaterThan(2);
    const epochs = updates.flatMap((u) => u.epochs).filter((e) => e.stage === 'head');
    expect(epochs.length).toBeGreaterThan(3);
    expect(new Set(epochs.map((e) => e.epoch)).size).toBe(epochs.length); // none sent twice
    const { finalModelId } = JSON.parse(updates.at(-1)!.job.resultJson) as { finalModelId: string };

    const [flag, food] = [emojiSubset(['Flags'], 30, 77).items.at(-1)!, emojiSubset(['Food & Drink'], 30, 77).items.at(-1)!].map((i) => new Uint8Array(readFileSync(i.source.id)));
    const one = await unary<Prediction>('predict', { id: 'a-flag', datasetId, image: flag, topK: 2 });
    expect(one).toMatchObject({ id: 'a-flag', modelId: finalModelId, modelVersion: 1, error: '' });
    expect(one.top).toHaveLength(2);
    expect(one.top[0]!.probability).toBeGreaterThanOrEqual(one.top[1]!.probability);

    const batch = await new Promise<{ results: Prediction[] }>((resolve, reject) => {
      const call = client['predictBatch']!(auth, (error: grpc.ServiceError | null, response: { results: Prediction[] }) => (error ? reject(error) : resolve(response))) as grpc.ClientWritableStream<unknown>;
      call.write({ id: 'flag', modelId: finalModelId, image: flag });
      call.write({ id: 'food', modelId: finalModelId, image: food });
      call.write({ id: 'junk', modelId: finalModelId, image: Buffer.from('not an image') });
      call.end();
    });
    expect(batch.results.map((r) => r.id)).toEqual(['flag', 'food', 'junk']);
    expect(batch.results[0]!.top.length).toBeGreaterThan(0);
    expect(batch.results[2]!.error).toMatch(/not a readable image/);
    process.stdout.write(`gRPC batch: flag→${batch.results[0]!.top[0]!.label}, food→${batch.results[1]!.top[0]!.label}\n`);
  }, 240_000);

  it('answers bad calls with the right status codes', async () => {
    await expect(unary('getJob', { jobId: randomUUID() }, new grpc.Metadata())).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    const reader = new grpc.Metadata();
    reader.set('authorization', `Bearer ${await tokenWith(api, 'read')}`);
    await expect(unary('submitJob', { parametersJson: '{}' }, reader)).rejects.toMatchObject({ code: grpc.status.PERMISSION_DENIED });
    const missing = randomUUID();
    await expect(unary('getJob', { jobId: missing })).rejects.toMatchObject({ code: grpc.status.NOT_FOUND, details: expect.stringContaining(missing) });
    await expect(unary('getJob', { jobId: 'nope' })).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    await expect(unary('submitJob', { parametersJson: '{"type":' })).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: expect.stringMatching(/not valid JSON/) });
    await expect(unary('predict', { modelId: randomUUID(), datasetId: randomUUID(), embedding: [1] })).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: expect.stringMatching(/exactly one of model_id or dataset_id/) });
    await expect(unary('predict', { modelId: missing, embedding: [1] })).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
  });
});
