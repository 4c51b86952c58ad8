import type { z } from 'zod';
import {
  extractionCompletedSchema,
  extractionRequestedSchema,
  fineTuningRequestedSchema,
  headTrainingRequestedSchema,
  jobCancelRequestedSchema,
  jobFailedSchema,
  jobProgressSchema,
  pipelineCompletedSchema,
  pipelineRequestedSchema,
  trainingCompletedSchema,
} from './jobs';
import { modelRegisteredSchema, promotionDecidedSchema, retrainRequestedSchema } from './public-events';

/**
 * Every Kafka topic, named `tern.<entity>.<action>.v<N>`, with the schema of its payload.
 * A breaking change to a payload is a new topic version, never an edit in place.
 */
export const topicRegistry = {
  'tern.extraction.requested.v1': extractionRequestedSchema,
  'tern.extraction.progress.v1': jobProgressSchema,
  'tern.extraction.completed.v1': extractionCompletedSchema,
  'tern.extraction.failed.v1': jobFailedSchema,
  'tern.head-training.requested.v1': headTrainingRequestedSchema,
  'tern.head-training.progress.v1': jobProgressSchema,
  'tern.head-training.completed.v1': trainingCompletedSchema,
  'tern.head-training.failed.v1': jobFailedSchema,
  'tern.fine-tuning.requested.v1': fineTuningRequestedSchema,
  'tern.fine-tuning.progress.v1': jobProgressSchema,
  'tern.fine-tuning.completed.v1': trainingCompletedSchema,
  'tern.fine-tuning.failed.v1': jobFailedSchema,
  'tern.pipeline.requested.v1': pipelineRequestedSchema,
  'tern.pipeline.progress.v1': jobProgressSchema,
  'tern.pipeline.completed.v1': pipelineCompletedSchema,
  'tern.pipeline.failed.v1': jobFailedSchema,
  'tern.job.cancel-requested.v1': jobCancelRequestedSchema,
  'tern.dataset.retrain-requested.v1': retrainRequestedSchema,
  'tern.model.registered.v1': modelRegisteredSchema,
  'tern.model.promotion-decided.v1': promotionDecidedSchema,
} as const;

export type TopicName = keyof typeof topicRegistry;
export type PayloadOf<T extends TopicName> = z.infer<(typeof topicRegistry)[T]>;
/** What a producer passes in: defaults may be left out. */
export type PayloadInputOf<T extends TopicName> = z.input<(typeof topicRegistry)[T]>;

/** Named constants, so code reads `Topics.pipelineRequested` rather than a string. */
export const Topics = {
  extractionRequested: 'tern.extraction.requested.v1',
  extractionProgress: 'tern.extraction.progress.v1',
  extractionCompleted: 'tern.extraction.completed.v1',
  extractionFailed: 'tern.extraction.failed.v1',
  headTrainingRequested: 'tern.head-training.requested.v1',
  headTrainingProgress: 'tern.head-training.progress.v1',
  headTrainingCompleted: 'tern.head-training.completed.v1',
  headTrainingFailed: 'tern.head-training.failed.v1',
  fineTuningRequested: 'tern.fine-tuning.requested.v1',
  fineTuningProgress: 'tern.fine-tuning.progress.v1',
  fineTuningCompleted: 'tern.fine-tuning.completed.v1',
  fineTuningFailed: 'tern.fine-tuning.failed.v1',
  pipelineRequested: 'tern.pipeline.requested.v1',
  pipelineProgress: 'tern.pipeline.progress.v1',
  pipelineCompleted: 'tern.pipeline.completed.v1',
  pipelineFailed: 'tern.pipeline.failed.v1',
  jobCancelRequested: 'tern.job.cancel-requested.v1',
  datasetRetrainRequested: 'tern.dataset.retrain-requested.v1',
  modelRegistered: 'tern.model.registered.v1',
  modelPromotionDecided: 'tern.model.promotion-decided.v1',
} as const satisfies Record<string, TopicName>;

/** Where messages a consumer cannot process go, with the reason and the original bytes. */
export function deadLetterTopicOf(topic: string): string {
  return `${topic}.dlq`;
}

export function isTopicName(value: string): value is TopicName {
  return Object.prototype.hasOwnProperty.call(topicRegistry, value);
}

/** Major version encoded in the topic name (`...v2` → 2). */
export function schemaVersionOf(topic: TopicName): number {
  const match = /\.v(\d+)$/.exec(topic);
  if (!match) throw new Error(`topic ${topic} has no version suffix`);
  return Number(match[1]);
}

export const allTopics = Object.keys(topicRegistry) as TopicName[];
