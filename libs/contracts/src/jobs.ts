import { z } from 'zod';
import { fineTuningParamsSchema, headTrainingParamsSchema } from './hyperparameters';
import { baseModelIdSchema, datasetIdSchema, jobIdSchema, layerNameSchema, modelIdSchema } from './ids';

export const jobTypeSchema = z.enum(['extraction', 'head_training', 'fine_tuning', 'pipeline', 'retraining']);
export type JobType = z.infer<typeof jobTypeSchema>;

export const jobStatusSchema = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
export type JobStatus = z.infer<typeof jobStatusSchema>;

const jobRef = { jobId: jobIdSchema, datasetId: datasetIdSchema };

export const extractionRequestedSchema = z.object({
  ...jobRef,
  baseModelId: baseModelIdSchema,
  layer: layerNameSchema.optional(),
  batchSize: z.number().int().min(1).max(256).default(16),
  /** Work on one slice of the dataset (samples whose content hash falls in it), so that several extractors share a dataset. */
  shard: z.object({ index: z.number().int().min(0), count: z.number().int().min(1).max(64) }).refine((s) => s.index < s.count, 'shard.index must be below shard.count').optional(),
});

export const headTrainingRequestedSchema = z.object({
  ...jobRef,
  baseModelId: baseModelIdSchema,
  layer: layerNameSchema.optional(),
  params: headTrainingParamsSchema.default(headTrainingParamsSchema.parse({})),
});

export const fineTuningRequestedSchema = z.object({
  ...jobRef,
  /** The head model to start from. */
  modelId: modelIdSchema,
  params: fineTuningParamsSchema.default(fineTuningParamsSchema.parse({})),
});

export const pipelineRequestedSchema = z.object({
  ...jobRef,
  baseModelId: baseModelIdSchema,
  layer: layerNameSchema.optional(),
  head: headTrainingParamsSchema.default(headTrainingParamsSchema.parse({})),
  /** Omit to skip fine-tuning. */
  fineTune: fineTuningParamsSchema.optional(),
  /** Promote to the dataset's production alias if better than the current one. */
  promote: z.boolean().default(false),
  /** Split extraction into this many jobs, spread over the extractor instances. */
  extractionShards: z.number().int().min(1).max(64).default(1),
});

export const jobProgressSchema = z.object({
  jobId: jobIdSchema,
  jobType: jobTypeSchema,
  stage: z.string().min(1).max(100),
  done: z.number().int().min(0),
  total: z.number().int().min(0),
  /** Per-epoch metrics when the stage trains. */
  epoch: z
    .object({ epoch: z.number().int().min(0), loss: z.number(), accuracy: z.number(), valLoss: z.number().optional(), valAccuracy: z.number().optional() })
    .optional(),
  message: z.string().max(1000).optional(),
});

export const extractionCompletedSchema = z.object({
  jobId: jobIdSchema,
  datasetId: datasetIdSchema,
  computed: z.number().int().min(0),
  reusedFromCache: z.number().int().min(0),
  failed: z.array(z.object({ sampleId: z.string(), reason: z.string() })).max(1000),
  durationMs: z.number().int().min(0),
});

export const trainingCompletedSchema = z.object({
  jobId: jobIdSchema,
  datasetId: datasetIdSchema,
  modelId: modelIdSchema,
  modelVersion: z.number().int().positive(),
  testAccuracy: z.number().min(0).max(1).nullable(),
  durationMs: z.number().int().min(0),
});

export const pipelineCompletedSchema = z.object({
  jobId: jobIdSchema,
  datasetId: datasetIdSchema,
  modelIds: z.array(modelIdSchema).min(1),
  finalModelId: modelIdSchema,
  promoted: z.boolean(),
});

export const jobFailedSchema = z.object({
  jobId: jobIdSchema,
  jobType: jobTypeSchema,
  reason: z.string().min(1).max(4000),
  /** Whether another attempt may succeed (lease expired, broker down) or not (bad input). */
  retryable: z.boolean(),
  attempt: z.number().int().min(0),
});

export const jobCancelRequestedSchema = z.object({ jobId: jobIdSchema, reason: z.string().max(1000).optional() });
