import { Partitioners, type Consumer, type EachBatchPayload, type IHeaders, type Kafka, type KafkaMessage } from 'kafkajs';
import { decodeEnvelope, deadLetterTopicOf, type Envelope, type PayloadOf, type TopicName } from '@tern/contracts';
import type { Logger } from '@tern/config';
import { backoffMs, defaultRetryPolicy, sleep, type RetryPolicy } from './backoff';
import { ConsumerStoppingError, NonRetryableError } from './errors';
import { logicalTopic, physicalTopic } from './kafka-client';

/** What a handler did with a message. Returning nothing means `processed`. */
export type HandlerOutcome = { status: 'processed' } | { status: 'skipped'; reason: string };

export interface HandlerContext {
  topic: TopicName;
  partition: number;
  offset: string;
  key: string | null;
  /** 1 on first delivery to this handler, then 2, 3... on in-process retries. */
  attempt: number;
  /** Keeps group membership alive; also called automatically while a handler runs. */
  heartbeat(): Promise<void>;
  /** Aborted when the consumer is stopping: long handlers should stop at the next batch or epoch. */
  signal: AbortSignal;
}

export type EventHandler<T extends TopicName> = (event: Envelope<PayloadOf<T>>, context: HandlerContext) => Promise<HandlerOutcome | void>;

export interface ConsumerOptions {
  /** Logical group id; the topic prefix is prepended, so environments sharing a cluster never share a group. */
  groupId: string;
  logger: Logger;
  topicPrefix?: string;
  retry?: Partial<RetryPolicy>;
  /** Must exceed the longest gap between heartbeats; long handlers heartbeat automatically. */
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** How long a rebalance waits for members to finish their current message. */
  rebalanceTimeoutMs?: number;
  /** Where a brand-new group starts: the earliest retained message, or only new ones. */
  fromBeginning?: boolean;
  partitionsConsumedConcurrently?: number;
  /** Called after a message was dead-lettered (e.g. to fail the job an invalid request named). */
  onDeadLetter?: (info: { topic: TopicName; value: Buffer | null; reason: string }) => Promise<void>;
}

export const DLQ_HEADERS = {
  reason: 'x-dlq-reason',
  sourceTopic: 'x-dlq-source-topic',
  sourcePartition: 'x-dlq-source-partition',
  sourceOffset: 'x-dlq-source-offset',
  consumerGroup: 'x-dlq-consumer-group',
  failedAt: 'x-dlq-failed-at',
  attempts: 'x-dlq-attempts',
} as const;

/**
 * At-least-once consumer of contract events. Each message is validated, handed to its
 * handler, and its offset committed only after the handler succeeded or the message was
 * dead-lettered. Invalid messages and handlers that keep failing go to `<topic>.dlq`
 * with the reason and the original bytes; the consumer keeps going.
 */
export class EventConsumer {
  private readonly consumer: Consumer;
  private readonly handlers = new Map<TopicName, EventHandler<TopicName>>();
  private readonly retry: RetryPolicy;
  private readonly stopping = new AbortController();
  private readonly producer;
  private started = false;
  private joined: Promise<void>;
  private markJoined!: () => void;

  constructor(
    kafka: Kafka,
    private readonly options: ConsumerOptions,
  ) {
    this.retry = { ...defaultRetryPolicy, ...options.retry };
    const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
    this.consumer = kafka.consumer({
      groupId: physicalTopic(options.groupId, options.topicPrefix),
      sessionTimeout,
      heartbeatInterval: options.heartbeatIntervalMs ?? Math.max(500, Math.floor(sessionTimeout / 10)),
      rebalanceTimeout: options.rebalanceTimeoutMs ?? 300_000,
      allowAutoTopicCreation: false,
    });
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    this.joined = new Promise((resolve) => (this.markJoined = resolve));
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => this.markJoined());
  }

  on<T extends TopicName>(topic: T, handler: EventHandler<T>): this {
    if (this.started) throw new Error('register handlers before start()');
    this.handlers.set(topic, handler as unknown as EventHandler<TopicName>);
    return this;
  }

  async start(): Promise<void> {
    if (this.handlers.size === 0) throw new Error(`consumer ${this.options.groupId} has no handlers`);
    this.started = true;
    await Promise.all([this.consumer.connect(), this.producer.connect()]);
    await this.consumer.subscribe({
      topics: [...this.handlers.keys()].map((t) => physicalTopic(t, this.options.topicPrefix)),
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  /** Resolves once the consumer has joined its group and holds partitions. */
  whenJoined(): Promise<void> {
    return this.joined;
  }

  /** Finishes (or abandons, uncommitted) the current message, then leaves the group. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }

  /**
   * Messages are handled one at a time and each offset is committed right after its message.
   * eachBatch rather than eachMessage: kafkajs drops eachMessage commits once stop() has begun,
   * so a message finished during a graceful shutdown would be redelivered.
   */
  private async handleBatch({ batch, heartbeat, isRunning, isStale, resolveOffset, commitOffsetsIfNecessary }: EachBatchPayload): Promise<void> {
    for (const message of batch.messages) {
      if (!isRunning() || isStale() || this.stopping.signal.aborted) return;
      const next = (BigInt(message.offset) + 1n).toString();
      const commit = () => commitOffsetsIfNecessary({ topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }] });
      await this.handleMessage(batch.topic, batch.partition, message, heartbeat, commit);
      resolveOffset(message.offset);
    }
  }

  private async handleMessage(physical: string, partition: number, message: KafkaMessage, heartbeat: () => Promise<void>, commit: () => Promise<void>): Promise<void> {
    const topic = logicalTopic(physical, this.options.topicPrefix) as TopicName;
    const log = this.options.logger.child({ topic, partition, offset: message.offset, group: this.options.groupId });

    const decoded = decodeEnvelope(topic, message.value);
    if (!decoded.ok) {
      log.warn('invalid message dead-lettered', { reason: decoded.reason });
      await this.deadLetter(topic, partition, message.offset, message.value, message.key, message.headers, decoded.reason, 0);
      await this.options.onDeadLetter?.({ topic, value: message.value, reason: decoded.reason }).catch((error: Error) => log.error('dead-letter hook failed', { error }));
      await commit();
      return;
    }
    const handler = this.handlers.get(topic);
    if (!handler) throw new Error(`no handler for ${topic}`);

    for (let attempt = 1; ; attempt++) {
      if (this.stopping.signal.aborted) throw new ConsumerStoppingError();
      const beat = setInterval(() => void heartbeat().catch((e: Error) => log.debug('heartbeat failed', { error: e })), this.heartbeatEveryMs());
      try {
        const outcome = (await handler(decoded.value, {
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString('utf8') ?? null,
          attempt,
          heartbeat,
          signal: this.stopping.signal,
        })) ?? { status: 'processed' };
        if (outcome.status === 'skipped') log.info('message skipped', { reason: outcome.reason, eventId: decoded.value.eventId });
        else log.debug('message processed', { eventId: decoded.value.eventId, attempt });
        await commit();
        return;
      } catch (error) {
        if (error instanceof ConsumerStoppingError || this.stopping.signal.aborted) throw new ConsumerStoppingError();
        const reason = `${(error as Error).name}: ${(error as Error).message}`;
        const final = error instanceof NonRetryableError || attempt >= this.retry.maxAttempts;
        if (final) {
          log.error('handler failed; message dead-lettered', { reason, attempt, eventId: decoded.value.eventId });
          await this.deadLetter(topic, partition, message.offset, message.value, message.key, message.headers, `handler failed after ${attempt} attempt(s): ${reason}`, attempt);
          await commit();
          return;
        }
        const wait = backoffMs(this.retry, attempt);
        log.warn('handler failed; retrying', { reason, attempt, retryInMs: wait });
        await sleep(wait, this.stopping.signal, () => new ConsumerStoppingError());
        await heartbeat().catch(() => undefined);
      } finally {
        clearInterval(beat);
      }
    }
  }

  private heartbeatEveryMs(): number {
    return Math.max(500, Math.floor((this.options.sessionTimeoutMs ?? 30_000) / 5));
  }

  private async deadLetter(
    topic: TopicName,
    partition: number,
    offset: string,
    value: Buffer | null,
    key: Buffer | null,
    headers: IHeaders | undefined,
    reason: string,
    attempts: number,
  ): Promise<void> {
    await this.producer.send({
      topic: physicalTopic(deadLetterTopicOf(topic), this.options.topicPrefix),
      acks: -1,
      messages: [
        {
          key,
          // The original bytes, untouched, so the message can be inspected and replayed.
          value,
          headers: {
            ...headers,
            [DLQ_HEADERS.reason]: reason.slice(0, 4000),
            [DLQ_HEADERS.sourceTopic]: topic,
            [DLQ_HEADERS.sourcePartition]: String(partition),
            [DLQ_HEADERS.sourceOffset]: offset,
            [DLQ_HEADERS.consumerGroup]: this.options.groupId,
            [DLQ_HEADERS.failedAt]: new Date().toISOString(),
            [DLQ_HEADERS.attempts]: String(attempts),
          },
        },
      ],
    });
  }
}
