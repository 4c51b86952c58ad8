import { z } from 'zod';
import { baseModelIdSchema, datasetIdSchema, layerNameSchema, modelIdSchema, uuidSchema } from './ids';
import { extractionRequestedSchema, fineTuningRequestedSchema, headTrainingRequestedSchema, pipelineRequestedSchema } from './jobs';

// REST and gRPC payloads of the api service. The server validates every request with these;
// clients (dashboard, tests) validate responses with them.

export const splitSchema = z.enum(['train', 'validation', 'test']);
/** The shape of an API token (`tern_` + 20–100 URL-safe characters); only its hash is stored. */
export const apiTokenPattern = /^tern_[A-Za-z0-9_-]{20,100}$/;
export const apiScopeSchema = z.enum(['read', 'write', 'admin']);
export type ApiScope = z.infer<typeof apiScopeSchema>;

const datasetName = z.string().trim().min(1).max(100).regex(/^[\p{L}\p{N} _.-]+$/u, 'letters, digits, spaces, _ . - only');
const hasControlCharacters = (v: string) => [...v].some((c) => c.charCodeAt(0) < 32);
/** A class label: what uploads, relabelling and training accept. */
export const classNameSchema = z.string().trim().min(1).max(100).refine((v) => !/[/\\]/.test(v) && !hasControlCharacters(v), 'no slashes or control characters');

export const paginationSchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

export const createDatasetSchema = z.object({ name: datasetName, description: z.string().max(2000).optional() }).strict();
export const updateDatasetSchema = z.object({ name: datasetName.optional(), description: z.string().max(2000).nullable().optional() }).strict();
export const deleteDatasetQuerySchema = z.object({ deleteModels: z.enum(['true', 'false']).default('false') });

export const sampleQuerySchema = paginationSchema.extend({ label: classNameSchema.optional(), split: splitSchema.optional() });

/** Multipart fields sent with an upload (files, archive and csv are file parts). */
export const uploadFieldsSchema = z.object({
  /** Label of every file part (folder-per-class archives and CSVs carry their own labels). */
  label: classNameSchema.optional(),
  /** Split for the new samples; omitted: train (re-split later with POST /datasets/{id}/split). */
  split: splitSchema.optional(),
});

export const updateSampleSchema = z.object({ label: classNameSchema.nullable().optional(), split: splitSchema.optional() }).strict().refine((v) => v.label !== undefined || v.split !== undefined, 'give label or split');
export const bulkUpdateSamplesSchema = z
  .object({ sampleIds: z.array(uuidSchema).min(1).max(1000), label: classNameSchema.nullable().optional(), split: splitSchema.optional(), delete: z.boolean().optional() })
  .strict()
  .refine((v) => v.label !== undefined || v.split !== undefined || v.delete === true, 'give label, split or delete: true');

export const autoSplitSchema = z
  .object({
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(42),
    validationFraction: z.number().min(0).max(0.5).default(0.15),
    testFraction: z.number().min(0).max(0.5).default(0.15),
  })
  .strict()
  .refine((v) => v.validationFraction + v.testFraction < 1, 'validationFraction + testFraction must be below 1');

export const registerBaseModelSchema = z
  .object({
    id: baseModelIdSchema,
    displayName: z.string().min(1).max(200).optional(),
    /** model.json URL (http/https); or upload model.json and weight files as multipart parts instead. */
    url: z.url({ protocol: /^https?$/ }).optional(),
    layer: layerNameSchema.optional(),
    embeddingSize: z.coerce.number().int().min(1).max(65536).optional(),
    inputWidth: z.coerce.number().int().min(8).max(2048).optional(),
    inputHeight: z.coerce.number().int().min(8).max(2048).optional(),
    scale: z.enum(['0..1', '-1..1']).default('0..1'),
  })
  .strict();

const withoutJobId = <T extends z.ZodObject>(schema: T) => schema.omit({ jobId: true } as never) as unknown as z.ZodObject<Omit<T['shape'], 'jobId'>>;

export const submitJobSchema = z.discriminatedUnion('type', [
  withoutJobId(pipelineRequestedSchema).extend({ type: z.literal('pipeline') }).strict(),
  withoutJobId(extractionRequestedSchema).extend({ type: z.literal('extraction') }).strict(),
  withoutJobId(headTrainingRequestedSchema).extend({ type: z.literal('head_training') }).strict(),
  withoutJobId(fineTuningRequestedSchema).extend({ type: z.literal('fine_tuning') }).strict(),
  z.object({ type: z.literal('retraining'), datasetId: datasetIdSchema, forcePromotion: z.boolean().default(false), reason: z.string().max(1000).optional() }).strict(),
]);
export type SubmitJob = z.infer<typeof submitJobSchema>;

export const jobQuerySchema = paginationSchema.extend({ datasetId: datasetIdSchema.optional(), status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']).optional() });
export const cancelJobSchema = z.object({ reason: z.string().max(1000).optional() }).strict();

export const setAliasSchema = z.object({ modelId: modelIdSchema }).strict();

/** JSON predict: embeddings computed elsewhere with the model's base and layer. */
export const predictEmbeddingsSchema = z
  .object({
    modelId: modelIdSchema.optional(),
    datasetId: datasetIdSchema.optional(),
    embeddings: z.array(z.array(z.number().finite()).min(1).max(65536)).min(1).max(256),
    topK: z.number().int().min(1).max(100).default(3),
  })
  .strict()
  .refine((v) => Boolean(v.modelId) !== Boolean(v.datasetId), 'give exactly one of modelId or datasetId (its production model)');

/** Multipart predict: image parts plus these fields. */
export const predictFieldsSchema = z
  .object({ modelId: modelIdSchema.optional(), datasetId: datasetIdSchema.optional(), topK: z.coerce.number().int().min(1).max(100).default(3) })
  .refine((v) => Boolean(v.modelId) !== Boolean(v.datasetId), 'give exactly one of modelId or datasetId (its production model)');

export const createTokenSchema = z.object({ name: z.string().min(1).max(100), scopes: z.array(apiScopeSchema).min(1) }).strict();

// Responses.
export const labelProbabilitySchema = z.object({ label: z.string(), probability: z.number().min(0).max(1) });
export const predictionSchema = z.object({ id: z.string(), top: z.array(labelProbabilitySchema).optional(), error: z.string().optional() });
export const predictResponseSchema = z.object({ modelId: modelIdSchema, modelVersion: z.number().int(), predictions: z.array(predictionSchema) });
export type PredictResponse = z.infer<typeof predictResponseSchema>;

export const uploadReportSchema = z.object({
  accepted: z.array(z.object({ sampleId: uuidSchema, name: z.string(), label: z.string().nullable(), contentHash: z.string() })),
  duplicates: z.array(z.object({ name: z.string(), existingSampleId: uuidSchema.nullable(), reason: z.string() })),
  rejected: z.array(z.object({ name: z.string(), reason: z.string() })),
});
export type UploadReport = z.infer<typeof uploadReportSchema>;

export const jobViewSchema = z.object({
  id: uuidSchema,
  type: z.enum(['extraction', 'head_training', 'fine_tuning', 'pipeline', 'retraining']),
  status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
  datasetId: uuidSchema.nullable(),
  parentJobId: uuidSchema.nullable(),
  progress: z.record(z.string(), z.unknown()).nullable(),
  result: z.unknown().nullable(),
  error: z.string().nullable(),
  attempt: z.number().int(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type JobView = z.infer<typeof jobViewSchema>;

export const epochMetricSchema = z.object({ jobId: uuidSchema, stage: z.string(), epoch: z.number().int(), loss: z.number(), accuracy: z.number(), valLoss: z.number().nullable(), valAccuracy: z.number().nullable() });
export type EpochMetric = z.infer<typeof epochMetricSchema>;

/** One server-sent event (REST) or stream message (gRPC WatchJob) while following a job. */
export const jobUpdateSchema = z.object({ job: jobViewSchema, steps: z.array(jobViewSchema), epochs: z.array(epochMetricSchema) });
export type JobUpdate = z.infer<typeof jobUpdateSchema>;

export const apiErrorSchema = z.object({ statusCode: z.number().int(), error: z.string(), message: z.string(), issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(), details: z.unknown().optional() });
export type ApiError = z.infer<typeof apiErrorSchema>;

// gRPC messages (tern.proto, keepCase=false): checked against the .proto by a test.
export const grpcPredictRequestSchema = z
  .object({ id: z.string().max(200).default(''), modelId: z.string().default(''), datasetId: z.string().default(''), image: z.instanceof(Uint8Array).optional(), embedding: z.array(z.number()).default([]), topK: z.number().int().min(0).max(100).default(0) })
  .refine((v) => Boolean(v.modelId) !== Boolean(v.datasetId), 'give exactly one of model_id or dataset_id')
  .refine((v) => (v.image && v.image.length > 0) !== v.embedding.length > 0, 'give exactly one of image or embedding');
export const grpcSubmitJobRequestSchema = z.object({ parametersJson: z.string().min(2).max(100_000) });
export const grpcGetJobRequestSchema = z.object({ jobId: uuidSchema });
export const grpcMessageFields = {
  PredictRequest: ['id', 'modelId', 'datasetId', 'image', 'embedding', 'topK'],
  PredictResponse: ['id', 'modelId', 'modelVersion', 'top', 'error'],
  LabelProbability: ['label', 'probability'],
  PredictBatchResponse: ['results'],
  SubmitJobRequest: ['parametersJson'],
  GetJobRequest: ['jobId'],
  Job: ['id', 'type', 'status', 'datasetId', 'parentJobId', 'stage', 'done', 'total', 'error', 'resultJson', 'createdAt', 'finishedAt'],
  JobUpdate: ['job', 'epochs'],
  EpochMetric: ['stage', 'epoch', 'loss', 'accuracy', 'valLoss', 'valAccuracy'],
} as const;

