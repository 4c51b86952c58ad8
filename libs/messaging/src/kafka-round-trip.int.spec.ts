import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { Topics, type Envelope, type PayloadOf } from '@tern/contracts';
import { silentLogger } from '@tern/config';
import { EventConsumer, EventPublisher, ensureTopics, InvalidEventError } from './index';
import { eventually, testKafka, testKafkaSettings } from './testing';

describe('kafka round trip through libs/messaging (Kafka 3.9 broker, kafkajs 2.2.4)', () => {
  const settings = testKafkaSettings();
  let kafka: Kafka;
  let publisher: EventPublisher;
  let consumer: EventConsumer | undefined;

  beforeAll(async () => {
    kafka = testKafka(settings);
    await ensureTopics(kafka, { topicPrefix: settings.topicPrefix, topics: [Topics.extractionRequested], partitions: 3 });
    publisher = new EventPublisher(kafka, 'round-trip-test', settings.topicPrefix);
  });
  afterEach(async () => {
    await consumer?.stop();
  });
  afterAll(async () => {
    await publisher.disconnect();
  });

  it('delivers validated events with their envelope, defaults applied, in order per key', async () => {
    const received: Envelope<PayloadOf<'tern.extraction.requested.v1'>>[] = [];
    consumer = new EventConsumer(kafka, { groupId: `g-${randomUUID()}`, topicPrefix: settings.topicPrefix, logger: silentLogger });
    consumer.on(Topics.extractionRequested, async (event) => {
      received.push(event);
    });
    await consumer.start();

    const datasetId = randomUUID();
    const jobIds = Array.from({ length: 5 }, () => randomUUID());
    const correlationId = randomUUID();
    for (const jobId of jobIds) {
      await publisher.publish(Topics.extractionRequested, { jobId, datasetId, baseModelId: 'mobilenet_v2_mid' }, { key: datasetId, correlationId });
    }

    await eventually(() => received.length === 5, 30_000, '5 events');
    expect(received.map((e) => e.payload.jobId)).toEqual(jobIds);
    const first = received[0]!;
    expect(first.payload.batchSize).toBe(16); // default filled in by the producer's validation
    expect(first.correlationId).toBe(correlationId);
    expect(first.type).toBe('tern.extraction.requested.v1');
    expect(first.schemaVersion).toBe(1);
    expect(first.producer).toBe('round-trip-test');
    expect(new Set(received.map((e) => e.eventId)).size).toBe(5);
  }, 60_000);

  it('refuses to send a payload that breaks the contract', async () => {
    await expect(
      publisher.publish(Topics.extractionRequested, { jobId: 'not-a-uuid', datasetId: randomUUID(), baseModelId: 'Bad Name!' } as never, { key: 'k', correlationId: 'c' }),
    ).rejects.toThrow(InvalidEventError);
    await expect(
      publisher.publish(Topics.extractionRequested, { jobId: randomUUID(), datasetId: randomUUID(), baseModelId: 'x', batchSize: 0 }, { key: 'k', correlationId: 'c' }),
    ).rejects.toThrow(/payload\.batchSize/);
  });
});
