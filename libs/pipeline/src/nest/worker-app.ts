import 'reflect-metadata';
import os from 'node:os';
import path from 'node:path';
import { Inject, Injectable, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { coreEnvShape, createLogger, envTypes, loadConfigOrExit, loadTernConfig, parseEnv, type Logger, type TernConfig } from '@tern/config';
import type { TopicName } from '@tern/contracts';
import { createPrismaClient, type PrismaClient } from '@tern/db';
import { ConsumerRegistry, EventPublisher, MessagingModule, type EventHandler } from '@tern/messaging';
import { bundledBaseModel, initBackend, loadBase, type LoadedBase } from '@tern/ml';
import { LocalDirectoryArtifactStore, type ArtifactStore } from '../artifact-store';
import { JobRepository } from '../job-repository';

export interface WorkerConfig extends TernConfig {
  workerId: string;
  leaseMs: number;
}

/** What every pipeline handler gets. */
export interface WorkerDeps {
  prisma: PrismaClient;
  jobs: JobRepository;
  publisher: EventPublisher;
  artifacts: ArtifactStore;
  logger: Logger;
  workerId: string;
  leaseMs: number;
  loadBase: (baseModelId: string) => Promise<LoadedBase>;
}

export interface WorkerAppOptions<T extends TopicName> {
  serviceName: string;
  /** Kafka consumer group: instances of one service share the work through its partitions. */
  groupId: string;
  topic: T;
  handler: (deps: WorkerDeps) => EventHandler<T>;
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const extra = parseEnv({ ...coreEnvShape, TERN_WORKER_ID: envTypes.nonEmpty.default(`${os.hostname()}-${process.pid}`), TERN_JOB_LEASE_MS: envTypes.positiveInt.default(60_000) }, env);
  return { ...loadTernConfig(env), workerId: extra.TERN_WORKER_ID, leaseMs: extra.TERN_JOB_LEASE_MS };
}

const OPTIONS = Symbol('WORKER_OPTIONS');
const CONFIG = Symbol('WORKER_CONFIG');
const PRISMA = Symbol('PRISMA');

@Injectable()
class WorkerConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly bases = new Map<string, Promise<LoadedBase>>();

  constructor(
    @Inject(OPTIONS) private readonly options: WorkerAppOptions<TopicName>,
    @Inject(CONFIG) private readonly config: WorkerConfig,
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(ConsumerRegistry) private readonly consumers: ConsumerRegistry,
    @Inject(EventPublisher) private readonly publisher: EventPublisher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const logger = createLogger(this.options.serviceName, this.config.logLevel);
    const backend = await initBackend(this.config.ml.backend);
    logger.info('backend ready', { backend: backend.name, workerId: this.config.workerId });
    const deps: WorkerDeps = {
      prisma: this.prisma,
      jobs: new JobRepository(this.prisma),
      publisher: this.publisher,
      artifacts: new LocalDirectoryArtifactStore(path.resolve(this.config.artifacts.dir)),
      logger,
      workerId: this.config.workerId,
      leaseMs: this.config.leaseMs,
      // One loaded base per id for the life of the process.
      loadBase: (id) => this.bases.get(id) ?? this.bases.set(id, loadBase(bundledBaseModel(id))).get(id)!,
    };
    const consumer = this.consumers.create({ groupId: this.options.groupId, sessionTimeoutMs: 30_000, logger });
    consumer.on(this.options.topic, this.options.handler(deps));
    await consumer.start();
    logger.info('consuming', { topic: this.options.topic, group: this.options.groupId });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.prisma.$disconnect();
  }
}

@Module({})
class WorkerModule {
  static forRoot(options: WorkerAppOptions<TopicName>, config: WorkerConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [MessagingModule.forRoot({ kafka: config.kafka, serviceName: options.serviceName, logLevel: config.logLevel })],
      providers: [
        { provide: OPTIONS, useValue: options },
        { provide: CONFIG, useValue: config },
        { provide: PRISMA, useFactory: () => createPrismaClient({ url: config.database.url }) },
        WorkerConsumer,
      ],
    };
  }
}

/** Boots a pipeline worker: config validated (exit 78 naming the variable), consumer started, SIGTERM handled. */
export function runWorkerApp<T extends TopicName>(options: WorkerAppOptions<T>): void {
  const config = loadConfigOrExit(() => loadWorkerConfig(process.env), options.serviceName);
  NestFactory.createApplicationContext(WorkerModule.forRoot(options as unknown as WorkerAppOptions<TopicName>, config), { logger: ['error', 'warn'] })
    // SIGTERM: finish the current message, commit, leave the group.
    .then((app) => app.enableShutdownHooks())
    .catch((error: Error) => {
      process.stderr.write(`[${options.serviceName}] failed to start: ${error.stack}\n`);
      process.exit(1);
    });
}
