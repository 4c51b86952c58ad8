import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { createLogger, silentLogger } from '@tern/config';
import { createKafka, type KafkaSettings } from '../kafka-client';

/** Broker list for integration tests: the one scripts/infra/up.sh started. */
export function testKafkaSettings(topicPrefix = uniquePrefix()): KafkaSettings {
  const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:59092').split(',');
  return { brokers, clientId: 'tern-test', topicPrefix };
}

/** A topic prefix unique to one test, so tests on one broker never see each other's messages. */
export function uniquePrefix(): string {
  return `test-${randomUUID().slice(0, 8)}.`;
}

export function testKafka(settings: KafkaSettings, verbose = process.env['TERN_TEST_VERBOSE'] === '1'): Kafka {
  return createKafka(settings, verbose ? createLogger('test', 'debug') : silentLogger);
}

/**
 * A consumer in a throwaway group for tests. kafkajs' disconnect waits for the fetch in flight,
 * which the broker holds for up to maxWaitTimeInMs (5 s by default): short here, so that test
 * teardown stops promptly instead of racing Jest's hook timeout.
 */
export function throwawayConsumer(kafka: Kafka, purpose: string): Consumer {
  return kafka.consumer({ groupId: `${purpose}-${randomUUID()}`, maxWaitTimeInMs: 250 });
}

/** Reads every message currently in `topic` (all partitions) with a throwaway group. */
export async function readAll(kafka: Kafka, topic: string, expected: number, timeoutMs = 20_000): Promise<KafkaMessage[]> {
  const consumer = throwawayConsumer(kafka, 'reader');
  const messages: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`expected ${expected} message(s) on ${topic}, got ${messages.length}`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ message }) => {
          messages.push(message);
          if (messages.length >= expected) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await done;
    return messages;
  } finally {
    await consumer.disconnect();
  }
}

/** Polls `predicate` until it holds or `timeoutMs` passes. */
export async function eventually(predicate: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
