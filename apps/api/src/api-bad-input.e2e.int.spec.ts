import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { strToU8, zipSync } from 'fflate';
import type { RunningApi } from '@tern/api';
import { startTestApi, tokenWith } from '@tern/api/testing';
import { allTopics, apiErrorSchema } from '@tern/contracts';
import { testDatabaseUrl } from '@tern/db/testing';
import { emojiSubset } from '@tern/ml/testing';
import { startHarness, type Harness } from '@tern/pipeline/testing';

describe('REST api refuses bad input with the right status, and stores nothing (real HTTP and Postgres)', () => {
  let h: Harness;
  let api: RunningApi;
  let writer: string;
  let datasetId: string;
  const image = new Uint8Array(readFileSync(emojiSubset(['Flags'], 1, 1).items[0]!.source.id));

  const request = async (method: string, url: string, init: { token?: string | null; body?: string; contentType?: string; form?: FormData } = {}) => {
    const headers: Record<string, string> = {};
    const token = init.token === undefined ? writer : init.token;
    if (token) headers['authorization'] = `Bearer ${token}`;
    if (init.contentType) headers['content-type'] = init.contentType;
    const response = await fetch(`${api.httpUrl}${url}`, { method, headers, ...(init.form ? { body: init.form } : init.body !== undefined ? { body: init.body } : {}) });
    const text = await response.text();
    const body = text ? JSON.parse(text) : null;
    if (response.status >= 400) apiErrorSchema.parse(body); // every error has the documented shape
    return { status: response.status, body, headers: response.headers };
  };
  const form = (...parts: [string, Uint8Array | string, string?][]) => {
    const f = new FormData();
    for (const [field, value, name] of parts) f.append(field, typeof value === 'string' ? value : new Blob([Buffer.from(value)]), ...(name ? [name] : []) as [string]);
    return f;
  };
  const stored = async () => ({ samples: await api.ctx.prisma.sample.count({ where: { datasetId } }), classes: await api.ctx.prisma.datasetClass.count({ where: { datasetId } }) });

  beforeAll(async () => {
    h = await startHarness(allTopics, []);
    // Small limits so that the limit paths are cheap to reach.
    api = await startTestApi(testDatabaseUrl(), h.settings, (c) => ({ ...c, uploads: { ...c.uploads, maxFileBytes: 200_000, maxFiles: 5 }, predict: { ...c.predict, requestsPerMinute: 3 } }));
    writer = await tokenWith(api, 'write');
    datasetId = (await request('POST', '/v1/datasets', { body: JSON.stringify({ name: `bad-input-${randomUUID()}` }), contentType: 'application/json' })).body.id;
    const first = await request('POST', `/v1/datasets/${datasetId}/samples`, { form: form(['label', 'flag'], ['files', image, 'flag.png']) });
    expect(first.status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await h?.close();
  });

  it('401 without a token or with an unknown or revoked one; 403 without the scope', async () => {
    expect((await request('GET', '/v1/datasets', { token: null })).status).toBe(401);
    const unknown = await request('GET', '/v1/datasets', { token: 'tern_thisTokenWasNeverIssued123' });
    expect(unknown).toMatchObject({ status: 401, body: { message: 'unknown or revoked API token' } });
    const reader = await tokenWith(api, 'read');
    expect((await request('GET', '/v1/datasets', { token: reader })).status).toBe(200);
    const forbidden = await request('POST', '/v1/datasets', { token: reader, body: JSON.stringify({ name: 'nope' }), contentType: 'application/json' });
    expect(forbidden).toMatchObject({ status: 403, body: { message: expect.stringMatching(/lacks the "write" scope/) } });
    expect((await request('POST', '/v1/tokens', { body: JSON.stringify({ name: 'x', scopes: ['admin'] }), contentType: 'application/json' })).status).toBe(403);
    const admin = await tokenWith(api, 'admin');
    const minted = await request('POST', '/v1/tokens', { token: admin, body: JSON.stringify({ name: 'short-lived', scopes: ['read'] }), contentType: 'application/json' });
    expect(minted.status).toBe(201);
    expect(await api.ctx.prisma.apiToken.count({ where: { tokenHash: minted.body.token } })).toBe(0); // only the hash is stored
    expect((await request('GET', '/v1/datasets', { token: minted.body.token })).status).toBe(200);
    expect((await request('DELETE', `/v1/tokens/${minted.body.id}`, { token: admin })).status).toBe(200);
    expect((await request('GET', '/v1/datasets', { token: minted.body.token })).status).toBe(401);
    // Health and docs are open.
    expect((await request('GET', '/health/ready', { token: null })).status).toBe(200);
    expect((await request('GET', '/docs/openapi.json', { token: null })).body.paths['/v1/predict']).toBeDefined();
  });

  it('400 for malformed JSON and for invalid fields, naming them', async () => {
    const malformed = await request('POST', '/v1/datasets', { body: '{"name": ', contentType: 'application/json' });
    expect(malformed.status).toBe(400);
    const invalid = await request('POST', '/v1/jobs', { body: JSON.stringify({ type: 'pipeline', datasetId, baseModelId: 'Not A Base!', head: { epochs: 0 } }), contentType: 'application/json' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(['baseModelId', 'head.epochs']));
    const unknownType = await request('POST', '/v1/jobs', { body: JSON.stringify({ type: 'teleport', datasetId }), contentType: 'application/json' });
    expect(unknownType.status).toBe(400);
    const unknownBase = await request('POST', '/v1/jobs', { body: JSON.stringify({ type: 'pipeline', datasetId, baseModelId: 'resnet_9000' }), contentType: 'application/json' });
    expect(unknownBase).toMatchObject({ status: 422, body: { message: expect.stringMatching(/resnet_9000/) } });
    expect(await api.ctx.prisma.job.count({ where: { datasetId } })).toBe(0);
  });

  it('404 for unknown ids and 400 for ids that are not UUIDs', async () => {
    const missing = randomUUID();
    for (const url of [`/v1/datasets/${missing}`, `/v1/jobs/${missing}`, `/v1/models/${missing}`, `/v1/jobs/${missing}/events`]) {
      const r = await request('GET', url);
      expect([url, r.status]).toEqual([url, 404]);
      expect(r.body.message).toContain(missing);
    }
    expect((await request('POST', '/v1/jobs', { body: JSON.stringify({ type: 'head_training', datasetId: missing, baseModelId: 'mobilenet_v2_mid' }), contentType: 'application/json' })).status).toBe(404);
    const notUuid = await request('GET', '/v1/datasets/42');
    expect(notUuid).toMatchObject({ status: 400, body: { message: expect.stringMatching(/invalid dataset id/) } });
  });

  it('413 for an oversized file and too many files; 422 for a non-image; 400 for a traversal archive — nothing stored changes', async () => {
    const before = await stored();
    const big = new Uint8Array(300_000);
    const oversized = await request('POST', `/v1/datasets/${datasetId}/samples`, { form: form(['label', 'flag'], ['files', big, 'huge.png']) });
    expect(oversized).toMatchObject({ status: 413, body: { message: expect.stringMatching(/over the \d+-byte limit/) } });
    const tooMany = await request('POST', `/v1/datasets/${datasetId}/samples`, { form: form(['label', 'flag'], ...Array.from({ length: 8 }, (_, i): [string, Uint8Array, string] => ['files', image, `${i}.png`])) });
    expect(tooMany.status).toBe(413);
    const fake = await request('POST', `/v1/datasets/${datasetId}/samples`, { form: form(['label', 'flag'], ['files', strToU8('<html>not a png</html>'), 'fake.png']) });
    expect(fake).toMatchObject({ status: 422, body: { details: { rejected: [{ name: 'fake.png', reason: expect.stringMatching(/not a readable image/) }] } } });
    const traversal = zipSync({ 'cats/ok.png': image, '../../../tmp/evil.png': image });
    const evil = await request('POST', `/v1/datasets/${datasetId}/samples`, { form: form(['archive', traversal, 'evil.zip']) });
    expect(evil).toMatchObject({ status: 400, body: { message: expect.stringMatching(/evil.zip rejected: .*points outside the archive/) } });
    const noFiles = await request('POST', `/v1/datasets/${datasetId}/samples`, { form: form(['label', 'flag']) });
    expect(noFiles.status).toBe(400);
    const notMultipart = await request('POST', `/v1/datasets/${datasetId}/samples`, { body: '{}', contentType: 'application/json' });
    expect(notMultipart.status).toBe(415);
    expect(await stored()).toEqual(before);
  });

  it('a failed upload transaction leaves neither rows nor files behind', async () => {
    const before = await stored();
    const fresh = emojiSubset(['Flags'], 4, 9).items.map((i) => new Uint8Array(readFileSync(i.source.id))).filter((b) => Buffer.compare(Buffer.from(b), Buffer.from(image)) !== 0).slice(0, 2);
    const marker = `explode-${randomUUID()}.png`;
    // A test-only trigger makes the second row's INSERT fail inside the upload's transaction.
    await api.ctx.prisma.$executeRawUnsafe(`CREATE OR REPLACE FUNCTION tern_test_explode() RETURNS trigger AS $$ BEGIN IF NEW.original_name = '${marker}' THEN RAISE EXCEPTION 'simulated failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
    await api.ctx.prisma.$executeRawUnsafe('CREATE TRIGGER tern_test_explode BEFORE INSERT ON samples FOR EACH ROW EXECUTE FUNCTION tern_test_explode()');
    try {
      const failed = await request('POST', `/v1/datasets/${datasetId}/samples`, { form: form(['label', 'new-class'], ['files', fresh[0]!, 'fine.png'], ['files', fresh[1]!, marker]) });
      expect(failed.status).toBe(500);
    } finally {
      await api.ctx.prisma.$executeRawUnsafe('DROP TRIGGER IF EXISTS tern_test_explode ON samples');
    }
    expect(await stored()).toEqual(before);
    const { readdirSync } = await import('node:fs');
    const files = readdirSync(api.ctx.config.sampleDir, { recursive: true }).filter((f) => String(f).length > 60);
    expect(files).toHaveLength(1); // only the image of the first, successful upload
  });

  it('429 with Retry-After once a caller exceeds the predict rate', async () => {
    const reader = await tokenWith(api, 'read');
    const body = JSON.stringify({ datasetId, embeddings: [[1], [2], [3], [4]] });
    const limited = await request('POST', '/v1/predict/embeddings', { token: reader, body, contentType: 'application/json' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Within the budget the request goes through to the next check: this dataset has no production model.
    const allowed = await request('POST', '/v1/predict/embeddings', { token: reader, body: JSON.stringify({ datasetId, embeddings: [[1]] }), contentType: 'application/json' });
    expect(allowed).toMatchObject({ status: 404, body: { message: expect.stringMatching(/has no production model/) } });
  });

  it('deletes a dataset with its samples and keeps its models unless asked', async () => {
    const doomed = (await request('POST', '/v1/datasets', { body: JSON.stringify({ name: `delete-me-${randomUUID()}` }), contentType: 'application/json' })).body.id;
    await request('POST', `/v1/datasets/${doomed}/samples`, { form: form(['label', 'flag'], ['files', image, 'flag.png']) });
    const deleted = await request('DELETE', `/v1/datasets/${doomed}`);
    expect(deleted.body).toMatchObject({ deleted: true, samplesDeleted: 1 });
    expect((await request('GET', `/v1/datasets/${doomed}`)).status).toBe(404);
    expect((await request('GET', `/v1/datasets/${doomed}/models`)).body).toMatchObject({ datasetDeleted: true, items: [] });
    // The image file is still used by the first dataset, so it stays.
    const kept = await api.ctx.prisma.sample.findFirstOrThrow({ where: { datasetId } });
    expect(readFileSync(new URL(kept.storageUri)).length).toBeGreaterThan(0);
  });
});
