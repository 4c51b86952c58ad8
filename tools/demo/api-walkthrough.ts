// The main job's service half, as a user of the REST api would do it: create a dataset, upload a
// folder-per-class zip of real images (Twemoji, CC-BY-4.0), split it, run a pipeline (extraction
// in 2 shards → head → promotion) and follow it live over Server-Sent Events, then predict.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { zipSync } from 'fflate';
import { jobUpdateSchema, predictResponseSchema, uploadReportSchema, type JobUpdate } from '@tern/contracts';
import { assignSplits, limitPerClass, loadEmojiDataset } from '@tern/ml';

const api = process.env['TERN_API_URL'] ?? `http://127.0.0.1:${process.env['TERN_API_PORT'] ?? 8080}`;
const token = process.env['TERN_API_TOKEN'] ?? readFileSync(path.join(process.env['TERN_DATA_DIR'] ?? '.tern-data', 'api-admin-token'), 'utf8').trim();
const auth = { authorization: `Bearer ${token}` };

async function call(method: string, url: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${api}${url}`, { method, headers: { ...auth, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${String(json['message'])}`);
  return json;
}

async function waitForApi(): Promise<void> {
  for (let i = 0; i < 60; i++) {
    if (await fetch(`${api}/health/ready`).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`the api at ${api} is not ready (see .tern-data/logs/api.log)`);
}

/** Prints each change of the job as it streams in; returns the last state. */
async function follow(jobId: string): Promise<JobUpdate> {
  const response = await fetch(`${api}/v1/jobs/${jobId}/events`, { headers: { ...auth, accept: 'text/event-stream' }, signal: AbortSignal.timeout(10 * 60_000) });
  let buffer = '';
  let last: JobUpdate | undefined;
  let printed = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += Buffer.from(chunk).toString('utf8');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (!block.startsWith('event: update')) continue;
      last = jobUpdateSchema.parse(JSON.parse(block.slice(block.indexOf('data: ') + 6)));
      const epoch = last.epochs.at(-1);
      const line = `  ${last.job.status}: ${last.steps.map((s) => `${s.type} ${s.status}`).join(', ')}${epoch ? ` | epoch ${epoch.epoch} loss ${epoch.loss.toFixed(3)} val acc ${((epoch.valAccuracy ?? 0) * 100).toFixed(0)}%` : ''}`;
      if (line !== printed) process.stdout.write(`${line}\n`);
      printed = line;
    }
  }
  if (!last) throw new Error(`no updates for job ${jobId}`);
  return last;
}

async function main(): Promise<void> {
  await waitForApi();
  const set = assignSplits(limitPerClass(loadEmojiDataset(), 30, 5), { validation: 0.15, test: 0.25 }, 5);
  const dataset = await call('POST', '/v1/datasets', { name: `twemoji-demo-${new Date().toISOString().replace(/[:.]/g, '-')}`, description: 'Twemoji (CC-BY-4.0) by emoji.json category' });
  const datasetId = String(dataset['id']);
  const zip = zipSync(Object.fromEntries(set.items.map((i) => [`${i.label}/${path.basename(i.source.id)}`, new Uint8Array(readFileSync(i.source.id))])));
  const form = new FormData();
  form.append('archive', new Blob([Buffer.from(zip)]), 'twemoji.zip');
  const uploaded = await fetch(`${api}/v1/datasets/${datasetId}/samples`, { method: 'POST', headers: auth, body: form });
  const report = uploadReportSchema.parse(await uploaded.json());
  process.stdout.write(`dataset ${String(dataset['name'])}: uploaded a ${(zip.byteLength / 1024).toFixed(0)} KiB zip → ${report.accepted.length} accepted, ${report.duplicates.length} duplicates, ${report.rejected.length} rejected\n`);
  const split = (await call('POST', `/v1/datasets/${datasetId}/split`, { seed: 5, validationFraction: 0.15, testFraction: 0.25 }))['splits'] as { train: number; validation: number; test: number };
  process.stdout.write(`split: ${split.train} train, ${split.validation} validation, ${split.test} test\n`);

  const job = await call('POST', '/v1/jobs', { type: 'pipeline', datasetId, baseModelId: 'mobilenet_v2_mid', head: { epochs: 60, learningRate: 0.003 }, promote: true, extractionShards: 2 });
  process.stdout.write(`pipeline ${String(job['id'])} submitted; following it over SSE (${api}/v1/jobs/${String(job['id'])}/events)\n`);
  const final = await follow(String(job['id']));
  if (final.job.status !== 'succeeded') throw new Error(`pipeline ${final.job.status}: ${final.job.error}`);
  const modelId = (final.job.result as { finalModelId: string }).finalModelId;
  const model = await call('GET', `/v1/models/${modelId}`);
  process.stdout.write(`model v${String(model['version'])} (${String(model['kind'])}): test accuracy ${(Number(model['testAccuracy']) * 100).toFixed(1)}% on ${split.test} test images; aliases: ${(model['aliases'] as string[]).join(', ') || 'none'}\n`);

  const predictForm = new FormData();
  predictForm.append('datasetId', datasetId);
  for (const i of set.items.filter((_, n) => n % 30 === 0).slice(0, 4)) predictForm.append('images', new Blob([readFileSync(i.source.id)]), `${i.label}/${path.basename(i.source.id)}`);
  const predicted = predictResponseSchema.parse(await (await fetch(`${api}/v1/predict`, { method: 'POST', headers: auth, body: predictForm })).json());
  process.stdout.write('predictions of 4 uploaded images by the production model (file name = true class):\n');
  for (const p of predicted.predictions) process.stdout.write(`  ${p.id} → ${p.top?.map((t) => `${t.label} ${(t.probability * 100).toFixed(0)}%`).join(', ') ?? p.error}\n`);
  process.stdout.write(`API docs: ${api}/docs (admin token in .tern-data/api-admin-token)\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`demo failed: ${error.message}\n`);
  process.exit(1);
});
