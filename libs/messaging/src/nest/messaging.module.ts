import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { createLogger, type Logger, type LogLevel } from '@tern/config';
import { EventConsumer, type ConsumerOptions } from '../event-consumer';
import { EventPublisher } from '../event-publisher';
import { createKafka, type KafkaSettings } from '../kafka-client';
import { ensureTopics } from '../topic-admin';

export const KAFKA = Symbol('KAFKA');
export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

export interface MessagingModuleOptions {
  kafka: KafkaSettings;
  /** Names this service in every event's `producer` field. */
  serviceName: string;
  logLevel?: LogLevel;
  /** Create missing topics at boot (dev and tests; production provisions them separately). */
  provisionTopics?: boolean;
}

/** Connects the publisher at boot and disconnects it on shutdown. */
@Injectable()
export class ManagedPublisher extends EventPublisher implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(KAFKA) kafka: Kafka, @Inject(MESSAGING_OPTIONS) options: MessagingModuleOptions) {
    super(kafka, options.serviceName, options.kafka.topicPrefix);
  }
  async onModuleInit(): Promise<void> {
    await this.connect();
  }
  async onApplicationShutdown(): Promise<void> {
    await this.disconnect();
  }
}

/** Creates consumers for a service's handlers and stops them all when Nest shuts down. */
@Injectable()
export class ConsumerRegistry implements OnModuleInit, OnApplicationShutdown {
  private readonly consumers: EventConsumer[] = [];
  private readonly logger: Logger;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingModuleOptions,
  ) {
    this.logger = createLogger(options.serviceName, options.logLevel ?? 'info');
  }

  async onModuleInit(): Promise<void> {
    if (this.options.provisionTopics) await ensureTopics(this.kafka, { topicPrefix: this.options.kafka.topicPrefix });
  }

  create(options: Omit<ConsumerOptions, 'logger' | 'topicPrefix'> & { logger?: Logger }): EventConsumer {
    const consumer = new EventConsumer(this.kafka, {
      ...options,
      logger: options.logger ?? this.logger,
      topicPrefix: this.options.kafka.topicPrefix ?? '',
    });
    this.consumers.push(consumer);
    return consumer;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.stop()));
  }
}

@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      providers: [
        { provide: MESSAGING_OPTIONS, useValue: options },
        { provide: KAFKA, useFactory: () => createKafka(options.kafka, createLogger(options.serviceName, options.logLevel ?? 'info')) },
        ManagedPublisher,
        { provide: EventPublisher, useExisting: ManagedPublisher },
        ConsumerRegistry,
      ],
      exports: [KAFKA, EventPublisher, ConsumerRegistry],
    };
  }
}
