import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import type { RunningApi } from '@tern/api';
import { readSse, startTestApi, tokenWith, type SseEvent } from '@tern/api/testing';
import { allTopics, jobUpdateSchema, predictResponseSchema, uploadReportSchema, type JobUpdate } from '@tern/contracts';
import { testDatabaseUrl } from '@tern/db/testing';
import { saveLayersModel } from '@tern/ml';
import { emojiSubset } from '@tern/ml/testing';
import * as tf from '@tensorflow/tfjs';
import { startHarness, type Harness } from '@tern/pipeline/testing';

describe('REST api end to end (real HTTP, Postgres, Kafka and workers)', () => {
  let h: Harness;
  let api: RunningApi;
  let writer: string;
  const set = emojiSubset(['Flags', 'Smileys & Emotion'], 12, 5);
  const bytesOf = (file: string) => new Uint8Array(readFileSync(file));

  const call = async (method: string, url: string, body?: unknown, token = writer) => {
    const response = await fetch(`${api.httpUrl}${url}`, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await response.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies, checked by the assertions
    return { status: response.status, body: text ? (JSON.parse(text) as any) : null };
  };
  const upload = async (datasetId: string, parts: [string, Uint8Array | string, string?][], token = writer) => {
    const form = new FormData();
    for (const [field, value, name] of parts) form.append(field, typeof value === 'string' ? value : new Blob([Buffer.from(value)]), ...(name ? [name] : []) as [string]);
    const response = await fetch(`${api.httpUrl}/v1/datasets/${datasetId}/samples`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies, checked by the assertions
    return { status: response.status, body: (await response.json()) as any };
  };

  beforeAll(async () => {
    h = await startHarness(allTopics, []);
    for (const app of ['feature-extractor', 'head-trainer', 'pipeline-orchestrator']) h.startWorker(app, `${app}-api`);
    api = await startTestApi(testDatabaseUrl(), h.settings);
    writer = await tokenWith(api, 'write');
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await h?.close();
  });

  it('creates a dataset, uploads images as files and as an archive, trains a pipeline followed over SSE, and predicts with it', async () => {
    const created = await call('POST', '/v1/datasets', { name: `rest-e2e-${Date.now()}`, description: 'flags vs smileys' });
    expect(created.status).toBe(201);
    const datasetId: string = created.body.id;

    // Flags as individual files with a label field; smileys as a folder-per-class zip.
    const flags = set.items.filter((i) => i.label === 'Flags');
    const smileys = set.items.filter((i) => i.label !== 'Flags');
    const asFiles = await upload(datasetId, [['label', 'flag'], ...flags.map((i): [string, Uint8Array, string] => ['files', bytesOf(i.source.id), path.basename(i.source.id)])]);
    expect(asFiles.status).toBe(201);
    expect(uploadReportSchema.parse(asFiles.body).accepted).toHaveLength(12);
    const zip = zipSync(Object.fromEntries(smileys.map((i) => [`upload/smiley/${path.basename(i.source.id)}`, bytesOf(i.source.id)])));
    const asArchive = await upload(datasetId, [['archive', zip, 'smileys.zip']]);
    expect(asArchive.status).toBe(201);
    expect(asArchive.body.accepted).toHaveLength(12);
    expect(asArchive.body.accepted.every((a: { label: string }) => a.label === 'smiley')).toBe(true);

    // The same image again is reported as a duplicate, not stored twice.
    const again = await upload(datasetId, [['label', 'flag'], ['files', bytesOf(flags[0]!.source.id), 'again.png']]);
    expect(again.body).toMatchObject({ accepted: [], duplicates: [{ name: 'again.png', reason: 'already in this dataset' }] });

    const split = await call('POST', `/v1/datasets/${datasetId}/split`, { seed: 3, validationFraction: 0.2, testFraction: 0.25 });
    expect(split.body.splits).toEqual({ train: 14, validation: 4, test: 6 });
    const detail = await call('GET', `/v1/datasets/${datasetId}`);
    expect(detail.body).toMatchObject({ sampleCount: 24, splits: { train: 14, validation: 4, test: 6 } });
    expect(detail.body.classes.map((c: { name: string; total: number }) => [c.name, c.total])).toEqual([['flag', 12], ['smiley', 12]]);

    const submitted = await call('POST', '/v1/jobs', { type: 'pipeline', datasetId, baseModelId: 'mobilenet_v2_mid', head: { epochs: 25, learningRate: 0.003, seed: 1 }, promote: true });
    expect(submitted.status).toBe(202);
    expect(submitted.body).toMatchObject({ type: 'pipeline', status: 'queued' });
    const jobId: string = submitted.body.id;

    const events = await readSse(`${api.httpUrl}/v1/jobs/${jobId}/events`, writer, (e) => e.event === 'end', 240_000);
    const updates = events.filter((e): e is SseEvent & { data: JobUpdate } => e.event === 'update').map((e) => jobUpdateSchema.parse(e.data));
    expect(events.at(-1)!.event).toBe('end');
    const last = updates.at(-1)!;
    expect(last.job.status).toBe('succeeded');
    expect(last.steps.map((s) => [s.type, s.status])).toEqual([['extraction', 'succeeded'], ['head_training', 'succeeded']]);
    expect(updates.length).toBeGreaterThan(2); // progress was streamed, not only the end state
    expect(last.epochs.filter((e) => e.stage === 'head').length).toBeGreaterThan(3);

    const coverage = (await call('GET', `/v1/datasets/${datasetId}`)).body.cacheCoverage.find((c: { baseModelId: string; layer: string }) => c.baseModelId === 'mobilenet_v2_mid' && c.layer === 'feature_vector');
    expect(coverage).toMatchObject({ embedded: 24, total: 24, fraction: 1 });

    const versions = await call('GET', `/v1/datasets/${datasetId}/models`);
    expect(versions.body.items).toHaveLength(1);
    const model = versions.body.items[0];
    expect(model).toMatchObject({ version: 1, kind: 'head', aliases: ['production'], labels: ['flag', 'smiley'] });
    const full = await call('GET', `/v1/models/${model.id}`);
    expect(full.body.metrics.confusion).toHaveLength(2); // what the dashboard's heatmap reads
    expect(full.body.curves.length).toBeGreaterThan(3);

    const download = await fetch(`${api.httpUrl}/v1/models/${model.id}/artifact`, { headers: { authorization: `Bearer ${writer}` } });
    expect(download.headers.get('content-type')).toBe('application/zip');
    const files = Object.keys(unzipSync(new Uint8Array(await download.arrayBuffer())));
    expect(files).toEqual(expect.arrayContaining(['tern.json', 'head/model.json']));

    // Predict: test images by the dataset's production model; a reader token is enough.
    const reader = await tokenWith(api, 'read');
    const testImages = set.items.filter((i) => i.split === 'test').slice(0, 4);
    const form = new FormData();
    form.append('datasetId', datasetId);
    form.append('topK', '2');
    for (const i of testImages) form.append('images', new Blob([Buffer.from(bytesOf(i.source.id))]), path.basename(i.source.id));
    form.append('images', new Blob([Buffer.from('not an image')]), 'broken.png');
    const predicted = await fetch(`${api.httpUrl}/v1/predict`, { method: 'POST', headers: { authorization: `Bearer ${reader}` }, body: form });
    expect(predicted.status).toBe(200);
    const result = predictResponseSchema.parse(await predicted.json());
    expect(result).toMatchObject({ modelId: model.id, modelVersion: 1 });
    expect(result.predictions).toHaveLength(5);
    for (const p of result.predictions.slice(0, 4)) {
      expect(p.top).toHaveLength(2);
      expect(p.top![0]!.probability + p.top![1]!.probability).toBeCloseTo(1, 4);
    }
    expect(result.predictions[4]).toMatchObject({ id: 'broken.png', error: expect.stringMatching(/not a readable image/) });
    const right = result.predictions.slice(0, 4).filter((p, i) => p.top![0]!.label === (testImages[i]!.label === 'Flags' ? 'flag' : 'smiley')).length;
    process.stdout.write(`REST predict: ${right}/4 test images right\n`);

    // Precomputed embeddings of the wrong size are refused with the size the model takes.
    const wrongSize = await call('POST', '/v1/predict/embeddings', { modelId: model.id, embeddings: [[0.1, 0.2, 0.3]] }, reader);
    expect(wrongSize.status).toBe(422);
    expect(wrongSize.body.message).toMatch(/has 3 values; model .* takes 1792/);
    // Retraining through the api: same data and settings, cache reused, not promoted (no better).
    const retrain = await call('POST', '/v1/jobs', { type: 'retraining', datasetId, reason: 'e2e' });
    expect(retrain).toMatchObject({ status: 202, body: { type: 'retraining', status: 'queued' } });
    const retrained = await readSse(`${api.httpUrl}/v1/jobs/${retrain.body.id}/events`, writer, (e) => e.event === 'end', 180_000);
    const final = jobUpdateSchema.parse(retrained.filter((e) => e.event === 'update').at(-1)!.data);
    expect(final.job).toMatchObject({ status: 'succeeded', result: { promoted: false } });
    expect((await call('GET', `/v1/jobs?datasetId=${datasetId}`)).body.items.map((j: { type: string }) => j.type)).toEqual(['retraining', 'pipeline']);

    // Cancel: a job cancelled right after submission never succeeds.
    const doomed = await call('POST', '/v1/jobs', { type: 'extraction', datasetId, baseModelId: 'mobilenet_v2_mid', layer: 'block_16', batchSize: 1 });
    const cancelled = await call('POST', `/v1/jobs/${doomed.body.id}/cancel`, { reason: 'changed my mind' });
    expect(cancelled.status).toBe(202);
    const ended = await readSse(`${api.httpUrl}/v1/jobs/${doomed.body.id}/events`, writer, (e) => e.event === 'end', 120_000);
    expect(jobUpdateSchema.parse(ended.filter((e) => e.event === 'update').at(-1)!.data).job.status).toBe('cancelled');

    // A user's own base model: registered through the api, then trained on like a bundled one.
    const admin = await tokenWith(api, 'admin');
    const modelDir = mkdtempSync(path.join(tmpdir(), 'tern-own-base-'));
    const own = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 3, strides: 2, activation: 'relu', name: 'conv' }), tf.layers.globalAveragePooling2d({ name: 'pool' }), tf.layers.dense({ units: 3, name: 'old_head' })] });
    await saveLayersModel(own, modelDir);
    own.dispose();
    const ownId = `own_net_${Date.now()}`;
    const registration = new FormData();
    registration.append('id', ownId);
    registration.append('model', new Blob([readFileSync(path.join(modelDir, 'model.json'))]), 'model.json');
    for (const f of readdirSync(modelDir).filter((f) => f.endsWith('.bin'))) registration.append('weights', new Blob([readFileSync(path.join(modelDir, f))]), f);
    expect((await fetch(`${api.httpUrl}/v1/base-models`, { method: 'POST', headers: { authorization: `Bearer ${admin}` }, body: registration })).status).toBe(201);
    const ownJob = await call('POST', '/v1/jobs', { type: 'pipeline', datasetId, baseModelId: ownId, head: { epochs: 5, seed: 1 } });
    expect(ownJob.status).toBe(202);
    const ownRun = await readSse(`${api.httpUrl}/v1/jobs/${ownJob.body.id}/events`, writer, (e) => e.event === 'end', 180_000);
    const ownFinal = jobUpdateSchema.parse(ownRun.filter((e) => e.event === 'update').at(-1)!.data);
    expect(ownFinal.job.status).toBe('succeeded');
    const ownModel = await call('GET', `/v1/models/${(ownFinal.job.result as { finalModelId: string }).finalModelId}`);
    expect(ownModel.body.baseModel).toMatchObject({ id: ownId, layer: 'pool' });
    const ownForm = new FormData();
    ownForm.append('modelId', ownModel.body.id);
    ownForm.append('images', new Blob([Buffer.from(bytesOf(testImages[0]!.source.id))]), 'one.png');
    const ownPrediction = await fetch(`${api.httpUrl}/v1/predict`, { method: 'POST', headers: { authorization: `Bearer ${reader}` }, body: ownForm });
    expect(predictResponseSchema.parse(await ownPrediction.json()).predictions[0]!.top).toHaveLength(2);

    const embedded = await call('POST', '/v1/predict/embeddings', { modelId: model.id, embeddings: [Array.from({ length: 1792 }, () => 0.05)], topK: 1 }, reader);
    expect(embedded.status).toBe(200);
    expect(embedded.body.predictions[0].top).toHaveLength(1);
  }, 300_000);
});
