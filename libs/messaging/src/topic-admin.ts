import type { Kafka } from 'kafkajs';
import { allTopics, deadLetterTopicOf } from '@tern/contracts';
import { physicalTopic } from './kafka-client';

export interface TopicProvisioning {
  topicPrefix?: string;
  partitions?: number;
  replicationFactor?: number;
  /** Defaults to every topic in the contracts registry. */
  topics?: readonly string[];
}

/**
 * Creates each topic and its dead-letter topic if missing. Safe to run on every start:
 * existing topics are left alone. Brokers run with auto-creation off, so this is the
 * one place topics come from.
 */
export async function ensureTopics(kafka: Kafka, options: TopicProvisioning = {}): Promise<string[]> {
  const prefix = options.topicPrefix ?? '';
  const logical = options.topics ?? allTopics;
  const wanted = logical.flatMap((t) => [physicalTopic(t, prefix), physicalTopic(deadLetterTopicOf(t), prefix)]);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: topic.endsWith('.dlq') ? 1 : (options.partitions ?? 6),
          replicationFactor: options.replicationFactor ?? 1,
        })),
      });
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}
