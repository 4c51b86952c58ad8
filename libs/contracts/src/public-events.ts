import { z } from 'zod';
import { datasetIdSchema, jobIdSchema, modelIdSchema } from './ids';

/**
 * Public: other systems publish this to retrain a dataset's model on its current samples.
 * Documented in docs/events.md; changes need a new topic version.
 */
export const retrainRequestedSchema = z.object({
  datasetId: datasetIdSchema,
  reason: z.string().max(1000).optional(),
  /** Promote even if the new model does not beat the current production model. */
  forcePromotion: z.boolean().default(false),
  /** Callers may set one so that a re-sent request does not retrain twice. */
  idempotencyKey: z.string().min(1).max(200).optional(),
  /** Callers may choose the retraining job's id, to follow it (the api does). */
  jobId: jobIdSchema.optional(),
});

export const modelRegisteredSchema = z.object({
  modelId: modelIdSchema,
  datasetId: datasetIdSchema,
  version: z.number().int().positive(),
  kind: z.enum(['head', 'fine_tuned']),
  jobId: jobIdSchema,
  testAccuracy: z.number().min(0).max(1).nullable(),
});

export const promotionDecidedSchema = z.object({
  datasetId: datasetIdSchema,
  candidateModelId: modelIdSchema,
  candidateScore: z.number().min(0).max(1).nullable(),
  previousModelId: modelIdSchema.nullable(),
  previousScore: z.number().min(0).max(1).nullable(),
  promoted: z.boolean(),
  forced: z.boolean(),
  reason: z.string().max(1000),
});
