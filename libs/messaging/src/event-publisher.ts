import { randomUUID } from 'node:crypto';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { schemaVersionOf, validatePayload, type Envelope, type PayloadInputOf, type PayloadOf, type TopicName } from '@tern/contracts';
import { InvalidEventError } from './errors';
import { physicalTopic } from './kafka-client';

export interface PublishOptions {
  /** Partition key: all events of one entity (job, dataset) share it, so they stay in order. */
  key: string;
  correlationId: string;
  causationId?: string;
}

/**
 * Sends contract-checked events. The producer is idempotent (no duplicates from its own
 * retries) and allows one request in flight, so one key's events cannot be reordered.
 */
export class EventPublisher {
  private readonly producer: Producer;
  private connected = false;

  constructor(
    kafka: Kafka,
    private readonly producerName: string,
    private readonly topicPrefix = '',
  ) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    await this.producer.connect();
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await this.producer.disconnect();
  }

  /** Validates `payload` against the topic's schema (applying defaults), wraps it in an envelope and sends it. */
  async publish<T extends TopicName>(topic: T, payload: PayloadInputOf<T>, options: PublishOptions): Promise<Envelope<PayloadOf<T>>> {
    const checked = validatePayload(topic, payload);
    if (!checked.ok) throw new InvalidEventError(checked.reason);
    const envelope: Envelope<PayloadOf<T>> = {
      eventId: randomUUID(),
      correlationId: options.correlationId,
      ...(options.causationId ? { causationId: options.causationId } : {}),
      occurredAt: new Date().toISOString(),
      type: topic,
      schemaVersion: schemaVersionOf(topic),
      producer: this.producerName,
      payload: checked.value,
    };
    await this.connect();
    await this.producer.send({
      topic: physicalTopic(topic, this.topicPrefix),
      acks: -1,
      messages: [
        {
          key: options.key,
          value: JSON.stringify(envelope),
          headers: {
            'content-type': 'application/json',
            'event-id': envelope.eventId,
            'correlation-id': envelope.correlationId,
            'schema-version': String(envelope.schemaVersion),
          },
        },
      ],
    });
    return envelope;
  }
}
