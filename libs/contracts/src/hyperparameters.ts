import { z } from 'zod';

/** Dense head trained on cached embeddings. Defaults are what a user gets without asking. */
export const headTrainingParamsSchema = z.object({
  hiddenUnits: z.array(z.number().int().min(1).max(4096)).max(4).default([128]),
  dropout: z.number().min(0).max(0.9).default(0.3),
  optimizer: z.enum(['adam', 'sgd', 'rmsprop']).default('adam'),
  learningRate: z.number().gt(0).max(1).default(1e-3),
  /** Omitted: chosen from the data size (see `autoBatchSize` in libs/ml): 32 for small datasets, up to 512. */
  batchSize: z.number().int().min(1).max(4096).optional(),
  epochs: z.number().int().min(1).max(1000).default(50),
  earlyStoppingPatience: z.number().int().min(0).max(100).default(8),
  classWeighting: z.enum(['balanced', 'none']).default('balanced'),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(42),
});
export type HeadTrainingParams = z.infer<typeof headTrainingParamsSchema>;

export const augmentationSchema = z.object({
  horizontalFlip: z.boolean().default(false),
  /** Random crop keeping this fraction of each side (1 = off). */
  cropFraction: z.number().min(0.5).max(1).default(1),
  /** Max brightness change, as a fraction of full scale (0 = off). */
  brightness: z.number().min(0).max(0.5).default(0),
});
export type Augmentation = z.infer<typeof augmentationSchema>;

export const fineTuningParamsSchema = z.object({
  /** How many of the base's top layers (blocks for block-structured bases) to unfreeze. */
  unfreezeLayers: z.number().int().min(1).max(500).default(1),
  learningRate: z.number().gt(0).max(0.01).default(1e-5),
  epochs: z.number().int().min(1).max(200).default(10),
  batchSize: z.number().int().min(1).max(512).default(16),
  earlyStoppingPatience: z.number().int().min(0).max(50).default(3),
  augmentation: augmentationSchema.default({ horizontalFlip: false, cropFraction: 1, brightness: 0 }),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(42),
});
export type FineTuningParams = z.infer<typeof fineTuningParamsSchema>;
