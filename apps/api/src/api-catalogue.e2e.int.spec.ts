import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { RunningApi } from '@tern/api';
import { startTestApi, tokenWith } from '@tern/api/testing';
import { allTopics } from '@tern/contracts';
import { testDatabaseUrl } from '@tern/db/testing';
import { saveLayersModel } from '@tern/ml';
import { emojiSubset } from '@tern/ml/testing';
import { startHarness, type Harness } from '@tern/pipeline/testing';

describe('REST api: base-model registry and sample curation (real HTTP and Postgres)', () => {
  let h: Harness;
  let api: RunningApi;
  let admin: string;
  let modelDir: string;
  let fileServer: Server;

  const call = async (method: string, url: string, body?: unknown, token = admin) => {
    const response = await fetch(`${api.httpUrl}${url}`, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await response.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies, checked by the assertions
    return { status: response.status, body: text ? (JSON.parse(text) as any) : null };
  };
  const postForm = async (url: string, form: FormData, token = admin) => {
    const response = await fetch(`${api.httpUrl}${url}`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies, checked by the assertions
    return { status: response.status, body: (await response.json()) as any };
  };

  beforeAll(async () => {
    h = await startHarness(allTopics, []);
    api = await startTestApi(testDatabaseUrl(), h.settings);
    admin = await tokenWith(api, 'admin');
    modelDir = mkdtempSync(path.join(tmpdir(), 'tern-user-model-'));
    const model = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [32, 32, 3], filters: 4, kernelSize: 3, name: 'conv' }), tf.layers.globalAveragePooling2d({ name: 'pool' }), tf.layers.dense({ units: 2, name: 'old_head' })] });
    await saveLayersModel(model, modelDir);
    model.dispose();
    // A local web server standing in for wherever a user hosts their model.
    fileServer = createServer((req, res) => {
      try {
        res.end(readFileSync(path.join(modelDir, path.basename(req.url ?? ''))));
      } catch {
        res.statusCode = 404;
        res.end();
      }
    }).listen(0, '127.0.0.1');
  }, 60_000);
  afterAll(async () => {
    fileServer?.close();
    await api?.close();
    await h?.close();
  });

  it('lists the bundled bases with provenance and layers, registers an uploaded and a URL model, and refuses broken ones', async () => {
    const list = await call('GET', '/v1/base-models');
    expect(list.body.items.map((b: { id: string }) => b.id)).toEqual(expect.arrayContaining(['mobilenet_v2_mid', 'mobilenet_v2', 'inception_v3']));
    const mid = await call('GET', '/v1/base-models/mobilenet_v2_mid');
    expect(mid.body).toMatchObject({ source: 'bundled', fineTunable: false, provenance: expect.stringMatching(/ImageNet/) });
    expect(mid.body.layers.length).toBeGreaterThan(1);

    const id = `user_net_${randomUUID().slice(0, 8)}`;
    const form = new FormData();
    form.append('id', id);
    form.append('model', new Blob([readFileSync(path.join(modelDir, 'model.json'))]), 'model.json');
    for (const f of readdirSync(modelDir).filter((f) => f.endsWith('.bin'))) form.append('weights', new Blob([readFileSync(path.join(modelDir, f))]), f);
    const writer = await tokenWith(api, 'write');
    expect((await postForm('/v1/base-models', form, writer)).status).toBe(403); // registering a base is an admin's call
    const uploaded = await postForm('/v1/base-models', form);
    expect(uploaded.status).toBe(201);
    expect(uploaded.body).toMatchObject({ id, source: 'upload', format: 'layers', inputSize: { width: 32, height: 32 }, defaultLayer: 'pool', fineTunable: true });
    expect(uploaded.body.layers.map((l: { id: string; size: number }) => [l.id, l.size])).toEqual([['conv', 4], ['pool', 4], ['old_head', 2]]);
    expect((await call('GET', `/v1/base-models/${id}`)).body.layers).toHaveLength(3);
    expect((await postForm('/v1/base-models', form)).status).toBe(409);

    const port = (fileServer.address() as AddressInfo).port;
    const byUrl = await call('POST', '/v1/base-models', { id: `${id}_url`, url: `http://127.0.0.1:${port}/model.json`, layer: 'conv' });
    expect(byUrl).toMatchObject({ status: 201, body: { source: 'url', defaultLayer: 'conv' } });
    const broken = await call('POST', '/v1/base-models', { id: 'broken_net', url: `http://127.0.0.1:${port}/missing.json` });
    expect(broken).toMatchObject({ status: 422, body: { message: expect.stringMatching(/could not be used/) } });
    expect((await call('POST', '/v1/base-models', { id: 'mobilenet_v2', url: `http://127.0.0.1:${port}/model.json` })).status).toBe(409);
    expect((await call('POST', '/v1/base-models', { id: 'x', url: 'file:///etc/passwd' })).status).toBe(400);
  });

  it('pages samples by label and split, relabels one and many, moves between splits and deletes', async () => {
    const datasetId = (await call('POST', '/v1/datasets', { name: `curation-${randomUUID()}` })).body.id;
    const items = emojiSubset(['Flags', 'Objects'], 5, 4).items;
    const form = new FormData();
    form.append('csv', new Blob(['filename,label\n', ...items.map((i) => `${path.basename(i.source.id)},${i.label === 'Flags' ? 'flag' : 'object'}\n`)]), 'labels.csv');
    for (const i of items) form.append('files', new Blob([readFileSync(i.source.id)]), path.basename(i.source.id));
    expect((await postForm(`/v1/datasets/${datasetId}/samples`, form)).body.accepted).toHaveLength(10);

    const page1 = await call('GET', `/v1/datasets/${datasetId}/samples?pageSize=4&page=1`);
    const page3 = await call('GET', `/v1/datasets/${datasetId}/samples?pageSize=4&page=3`);
    expect([page1.body.total, page1.body.items.length, page3.body.items.length]).toEqual([10, 4, 2]);
    const flags = (await call('GET', `/v1/datasets/${datasetId}/samples?label=flag`)).body.items;
    expect(flags).toHaveLength(5);
    const image = await fetch(`${api.httpUrl}${flags[0].imageUrl}`, { headers: { authorization: `Bearer ${admin}` } });
    expect(image.headers.get('content-type')).toBe('image/png');

    const moved = await call('PATCH', `/v1/samples/${flags[0].id}`, { split: 'test', label: 'object' });
    expect(moved.body).toMatchObject({ split: 'test', label: 'object' });
    const bulk = await call('POST', `/v1/datasets/${datasetId}/samples/bulk`, { sampleIds: flags.slice(1, 3).map((s: { id: string }) => s.id), label: 'banner' });
    expect(bulk.body).toEqual({ updated: 2, deleted: 0 });
    expect((await call('POST', `/v1/datasets/${datasetId}/samples/bulk`, { sampleIds: [randomUUID()], split: 'test' })).status).toBe(404);
    expect((await call('POST', `/v1/datasets/${datasetId}/samples/bulk`, { sampleIds: [flags[3].id] })).status).toBe(400);
    expect((await call('DELETE', `/v1/samples/${flags[4].id}`)).status).toBe(200);

    const detail = (await call('GET', `/v1/datasets/${datasetId}`)).body;
    expect(detail.classes.map((c: { name: string; total: number }) => [c.name, c.total])).toEqual([['banner', 2], ['flag', 1], ['object', 6]]);
    expect(detail.splits).toEqual({ train: 8, validation: 0, test: 1 });
    expect(detail.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/class "flag" has 1 image/)]));
    expect((await call('PATCH', `/v1/datasets/${datasetId}`, { name: 'renamed ' + datasetId.slice(0, 8) })).body.name).toBe('renamed ' + datasetId.slice(0, 8));
  });
});
