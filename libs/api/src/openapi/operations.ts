import { z } from 'zod';
import {
  apiErrorSchema, autoSplitSchema, bulkUpdateSamplesSchema, cancelJobSchema, createDatasetSchema, createTokenSchema, deleteDatasetQuerySchema, jobQuerySchema, jobUpdateSchema, jobViewSchema,
  paginationSchema, predictEmbeddingsSchema, predictFieldsSchema, predictResponseSchema, registerBaseModelSchema, sampleQuerySchema, setAliasSchema, submitJobSchema, updateDatasetSchema,
  updateSampleSchema, uploadFieldsSchema, uploadReportSchema,
} from '@tern/contracts';

export interface Operation {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  /** OpenAPI path template ({id}). */
  path: string;
  summary: string;
  scope: 'public' | 'read' | 'write' | 'admin';
  tag: string;
  body?: z.ZodType;
  /** multipart/form-data: its text fields, and its file fields with a description. */
  multipart?: { fields: z.ZodType; files: Record<string, string> };
  query?: z.ZodType;
  response?: z.ZodType;
  responseType?: string;
  status?: number;
}

/** Every REST route, with the contracts schemas it takes and returns. A test checks this list against the controllers. */
export const operations: Operation[] = [
  { method: 'get', path: '/health/live', summary: 'Liveness', scope: 'public', tag: 'health' },
  { method: 'get', path: '/health/ready', summary: 'Readiness (database reachable)', scope: 'public', tag: 'health' },
  { method: 'get', path: '/v1/datasets', summary: 'List datasets with class and split counts', scope: 'read', tag: 'datasets', query: paginationSchema },
  { method: 'post', path: '/v1/datasets', summary: 'Create a dataset', scope: 'write', tag: 'datasets', body: createDatasetSchema, status: 201 },
  { method: 'get', path: '/v1/datasets/{id}', summary: 'A dataset: class counts, split counts, embedding-cache coverage per base model, warnings', scope: 'read', tag: 'datasets' },
  { method: 'patch', path: '/v1/datasets/{id}', summary: 'Rename or describe a dataset', scope: 'write', tag: 'datasets', body: updateDatasetSchema },
  { method: 'delete', path: '/v1/datasets/{id}', summary: 'Delete a dataset and its samples (models stay unless deleteModels=true)', scope: 'write', tag: 'datasets', query: deleteDatasetQuerySchema },
  {
    method: 'post', path: '/v1/datasets/{id}/samples', summary: 'Upload images, an archive (zip/tar/tar.gz, folder per class) and/or a filename,label CSV; duplicates and rejects are reported', scope: 'write', tag: 'samples',
    multipart: { fields: uploadFieldsSchema, files: { files: 'image files (many)', archive: 'one zip, tar or tar.gz', csv: 'filename,label CSV' } }, response: uploadReportSchema, status: 201,
  },
  { method: 'get', path: '/v1/datasets/{id}/samples', summary: 'List samples (paged, by label and split)', scope: 'read', tag: 'samples', query: sampleQuerySchema },
  { method: 'post', path: '/v1/datasets/{id}/samples/bulk', summary: 'Relabel, move or delete many samples', scope: 'write', tag: 'samples', body: bulkUpdateSamplesSchema },
  { method: 'post', path: '/v1/datasets/{id}/split', summary: 'Automatic stratified train/validation/test split with a seed', scope: 'write', tag: 'samples', body: autoSplitSchema },
  { method: 'get', path: '/v1/samples/{id}/image', summary: 'The image bytes of a sample', scope: 'read', tag: 'samples', responseType: 'image/*' },
  { method: 'patch', path: '/v1/samples/{id}', summary: 'Relabel a sample or move it to another split (manual override)', scope: 'write', tag: 'samples', body: updateSampleSchema },
  { method: 'delete', path: '/v1/samples/{id}', summary: 'Delete a sample', scope: 'write', tag: 'samples' },
  { method: 'get', path: '/v1/base-models', summary: 'Base models: bundled and user-registered', scope: 'read', tag: 'base models' },
  { method: 'get', path: '/v1/base-models/{id}', summary: 'A base model and its extractable layers', scope: 'read', tag: 'base models' },
  {
    method: 'post', path: '/v1/base-models', summary: "Register a user's TF.js model (JSON with url, or multipart upload)", scope: 'admin', tag: 'base models', body: registerBaseModelSchema,
    multipart: { fields: registerBaseModelSchema, files: { model: 'model.json', weights: 'weight shard files' } },
  },
  { method: 'post', path: '/v1/jobs', summary: 'Submit an extraction, head-training, fine-tuning, pipeline or retraining job', scope: 'write', tag: 'jobs', body: submitJobSchema, response: jobViewSchema, status: 202 },
  { method: 'get', path: '/v1/jobs', summary: 'List jobs (newest first)', scope: 'read', tag: 'jobs', query: jobQuerySchema },
  { method: 'get', path: '/v1/jobs/{id}', summary: 'A job with its steps and per-epoch metrics', scope: 'read', tag: 'jobs', response: jobUpdateSchema },
  { method: 'post', path: '/v1/jobs/{id}/cancel', summary: 'Cancel a job (workers stop at the next batch or epoch)', scope: 'write', tag: 'jobs', body: cancelJobSchema, status: 202 },
  { method: 'get', path: '/v1/jobs/{id}/events', summary: 'Follow a job live: Server-Sent Events `update` (a JobUpdate) on each change, then `end`', scope: 'read', tag: 'jobs', responseType: 'text/event-stream' },
  { method: 'get', path: '/v1/datasets/{id}/models', summary: 'Model versions of a dataset', scope: 'read', tag: 'models' },
  { method: 'get', path: '/v1/models/{id}', summary: 'A model version: metrics (per class, confusion matrix), settings, per-epoch curves', scope: 'read', tag: 'models' },
  { method: 'get', path: '/v1/models/{id}/artifact', summary: 'Download the TF.js artifact (zip)', scope: 'read', tag: 'models', responseType: 'application/zip' },
  { method: 'put', path: '/v1/datasets/{id}/aliases/{alias}', summary: 'Point an alias (e.g. production) at a model version', scope: 'write', tag: 'models', body: setAliasSchema },
  { method: 'post', path: '/v1/predict', summary: 'Top-k labels for images (multipart), from a model version or a dataset’s production model', scope: 'read', tag: 'predict', multipart: { fields: predictFieldsSchema, files: { images: 'one or more images' } }, response: predictResponseSchema },
  { method: 'post', path: '/v1/predict/embeddings', summary: 'Top-k labels for precomputed embeddings', scope: 'read', tag: 'predict', body: predictEmbeddingsSchema, response: predictResponseSchema },
  { method: 'post', path: '/v1/tokens', summary: 'Create an API token (shown once)', scope: 'admin', tag: 'tokens', body: createTokenSchema },
  { method: 'get', path: '/v1/tokens', summary: 'List API tokens (no secrets)', scope: 'admin', tag: 'tokens' },
  { method: 'delete', path: '/v1/tokens/{id}', summary: 'Revoke an API token', scope: 'admin', tag: 'tokens' },
];

const schemaOf = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });

function multipartSchema(m: NonNullable<Operation['multipart']>) {
  const fields = schemaOf(m.fields) as { properties?: Record<string, unknown> };
  const files = Object.fromEntries(Object.entries(m.files).map(([name, description]) => [name, { type: 'array', items: { type: 'string', format: 'binary' }, description }]));
  return { type: 'object', properties: { ...(fields.properties ?? {}), ...files } };
}

/** The OpenAPI 3.1 document served at /docs/openapi.json. */
export function openApiDocument(version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const params = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const queryProps = op.query ? ((schemaOf(op.query) as { properties?: Record<string, unknown> }).properties ?? {}) : {};
    const content: Record<string, unknown> = {};
    if (op.body) content['application/json'] = { schema: schemaOf(op.body) };
    if (op.multipart) content['multipart/form-data'] = { schema: multipartSchema(op.multipart) };
    const ok = String(op.status ?? 200);
    paths[op.path] = {
      ...paths[op.path],
      [op.method]: {
        summary: op.summary,
        tags: [op.tag],
        ...(op.scope === 'public' ? { security: [] } : { description: `Needs a token with the \`${op.scope}\` scope.` }),
        parameters: [...params, ...Object.entries(queryProps).map(([name, schema]) => ({ name, in: 'query', required: false, schema }))],
        ...(Object.keys(content).length ? { requestBody: { required: true, content } } : {}),
        responses: {
          [ok]: { description: 'OK', content: { [op.responseType ?? 'application/json']: { schema: op.response ? schemaOf(op.response) : {} } } },
          default: { description: 'Error', content: { 'application/json': { schema: schemaOf(apiErrorSchema) } } },
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Tern API', version, description: 'Transfer learning for small labelled image datasets. Authenticate with `Authorization: Bearer <token>`. gRPC: see tern.proto.' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths,
  };
}
