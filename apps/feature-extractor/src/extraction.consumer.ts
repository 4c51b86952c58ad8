import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createLogger } from '@tern/config';
import { Topics } from '@tern/contracts';
import type { PrismaClient } from '@tern/db';
import { ConsumerRegistry, EventPublisher } from '@tern/messaging';
import { bundledBaseModel, initBackend, loadBase, type LoadedBase } from '@tern/ml';
import { handleExtractionRequest, JobRepository } from '@tern/pipeline';
import type { ExtractorConfig } from './config';

export const CONFIG = Symbol('CONFIG');
export const PRISMA = Symbol('PRISMA');

/** Wires the extraction handler to its Kafka consumer group. */
@Injectable()
export class ExtractionConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly bases = new Map<string, Promise<LoadedBase>>();

  constructor(
    @Inject(CONFIG) private readonly config: ExtractorConfig,
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(ConsumerRegistry) private readonly consumers: ConsumerRegistry,
    @Inject(EventPublisher) private readonly publisher: EventPublisher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const logger = createLogger('feature-extractor', this.config.logLevel);
    const backend = await initBackend(this.config.ml.backend);
    logger.info('backend ready', { backend: backend.name, workerId: this.config.workerId });
    const deps = {
      prisma: this.prisma,
      jobs: new JobRepository(this.prisma),
      publisher: this.publisher,
      logger,
      workerId: this.config.workerId,
      leaseMs: this.config.leaseMs,
      // One loaded base per id for the life of the process.
      loadBase: (id: string) => this.bases.get(id) ?? this.bases.set(id, loadBase(bundledBaseModel(id))).get(id)!,
    };
    const consumer = this.consumers.create({ groupId: 'tern.feature-extractor', sessionTimeoutMs: 30_000, logger });
    consumer.on(Topics.extractionRequested, (event, ctx) => handleExtractionRequest(deps, event, ctx));
    await consumer.start();
    logger.info('consuming', { topic: Topics.extractionRequested });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.prisma.$disconnect();
  }
}
