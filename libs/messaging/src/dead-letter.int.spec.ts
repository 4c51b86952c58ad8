import { randomUUID } from 'node:crypto';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { deadLetterTopicOf, Topics } from '@tern/contracts';
import { silentLogger } from '@tern/config';
import { DLQ_HEADERS, EventConsumer, EventPublisher, ensureTopics, NonRetryableError, physicalTopic } from './index';
import { eventually, readAll, testKafka, testKafkaSettings } from './testing';

const topic = Topics.jobCancelRequested;

describe('dead-letter topic and retries', () => {
  // Each test gets its own topics (fresh prefix), so one test's messages never reach another.
  let settings: ReturnType<typeof testKafkaSettings>;
  let kafka: Kafka;
  let publisher: EventPublisher;
  let raw: Producer;
  let consumer: EventConsumer | undefined;
  let dlq: string;

  beforeEach(async () => {
    settings = testKafkaSettings();
    dlq = physicalTopic(deadLetterTopicOf(topic), settings.topicPrefix);
    kafka = testKafka(settings);
    await ensureTopics(kafka, { topicPrefix: settings.topicPrefix, topics: [topic], partitions: 1 });
    publisher = new EventPublisher(kafka, 'dlq-test', settings.topicPrefix);
    raw = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await raw.connect();
  });
  afterEach(async () => {
    await consumer?.stop();
    consumer = undefined;
    await Promise.all([publisher.disconnect(), raw.disconnect()]);
  });

  const start = async (handler: (jobId: string, attempt: number) => Promise<void>) => {
    consumer = new EventConsumer(kafka, {
      groupId: `g-${randomUUID()}`,
      topicPrefix: settings.topicPrefix,
      logger: silentLogger,
      retry: { maxAttempts: 3, initialBackoffMs: 50, maxBackoffMs: 200 },
    });
    consumer.on(topic, (event, ctx) => handler(event.payload.jobId, ctx.attempt));
    await consumer.start();
  };

  it('dead-letters malformed and schema-invalid messages with the reason and original bytes, and keeps going', async () => {
    const handled: string[] = [];
    await start(async (jobId) => void handled.push(jobId));

    const garbage = Buffer.from([0xff, 0x00, 0x7b, 0x22]);
    const wrongSchema = Buffer.from(
      JSON.stringify({ eventId: randomUUID(), correlationId: 'c', occurredAt: new Date().toISOString(), type: topic, schemaVersion: 1, producer: 'p', payload: { jobId: 42 } }),
    );
    const physical = physicalTopic(topic, settings.topicPrefix);
    await raw.send({ topic: physical, messages: [{ key: 'a', value: garbage }, { key: 'b', value: wrongSchema }] });
    const validJob = randomUUID();
    await publisher.publish(topic, { jobId: validJob }, { key: validJob, correlationId: 'c' });

    await eventually(() => handled.length === 1, 30_000, 'the valid message');
    expect(handled).toEqual([validJob]);

    const dead = await readAll(kafka, dlq, 2);
    expect(dead.map((m) => m.value)).toEqual([garbage, wrongSchema]);
    expect(String(dead[0]!.headers?.[DLQ_HEADERS.reason])).toMatch(/not valid JSON/);
    expect(String(dead[1]!.headers?.[DLQ_HEADERS.reason])).toMatch(/payload\.jobId/);
    expect(String(dead[1]!.headers?.[DLQ_HEADERS.sourceTopic])).toBe(topic);
  }, 60_000);

  it('retries a failing handler with backoff, then dead-letters it; a non-retryable error skips the retries', async () => {
    const attempts = new Map<string, number>();
    const flaky = randomUUID();
    const broken = randomUUID();
    const invalid = randomUUID();
    const after = randomUUID();
    await start(async (jobId, attempt) => {
      attempts.set(jobId, attempt);
      if (jobId === flaky && attempt < 2) throw new Error('database briefly unavailable');
      if (jobId === broken) throw new Error('always fails');
      if (jobId === invalid) throw new NonRetryableError('dataset has one class');
    });
    for (const jobId of [flaky, broken, invalid, after]) await publisher.publish(topic, { jobId }, { key: 'same-partition', correlationId: 'c' });

    await eventually(() => attempts.has(after), 30_000, 'the message after the failures');
    expect(attempts.get(flaky)).toBe(2);
    expect(attempts.get(broken)).toBe(3);
    expect(attempts.get(invalid)).toBe(1);

    const dead = await readAll(kafka, dlq, 2);
    const reasons = dead.map((m) => String(m.headers?.[DLQ_HEADERS.reason]));
    expect(reasons[0]).toMatch(/after 3 attempt\(s\): Error: always fails/);
    expect(reasons[1]).toMatch(/after 1 attempt\(s\): NonRetryableError: dataset has one class/);
  }, 60_000);
});
