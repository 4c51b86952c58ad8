import 'reflect-metadata';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Inject, Injectable, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { coreEnvShape, createLogger, envTypes, loadConfigOrExit, loadTernConfig, parseEnv, type TernConfig } from '@tern/config';
import type { TopicName } from '@tern/contracts';
import { createPrismaClient, type PrismaClient } from '@tern/db';
import { ConsumerRegistry, EventPublisher, MessagingModule, type EventHandler } from '@tern/messaging';
import { backendLogFields, initBackend, loadBase, type LoadedBase } from '@tern/ml';
import { resolveBase } from '../base-resolver';
import { LocalDirectoryArtifactStore } from '../artifact-store';
import { failJobOfInvalidRequest } from '../invalid-request';
import { startHealthServer } from './health-server';
import { JobRepository } from '../job-repository';
import type { WorkerDeps } from '../worker-deps';

export type { WorkerDeps };

export interface WorkerConfig extends TernConfig {
  workerId: string;
  leaseMs: number;
  /** Probe endpoints (/health/live, /health/ready) on this port; none when unset. */
  health?: { host: string; port: number };
}


/** One topic and its handler; `route` keeps the pairing type-checked. */
export interface Route {
  topic: TopicName;
  handler: EventHandler<TopicName>;
}

export function route<T extends TopicName>(topic: T, handler: EventHandler<T>): Route {
  return { topic, handler: handler as unknown as EventHandler<TopicName> };
}

export interface WorkerAppOptions {
  serviceName: string;
  /** Kafka consumer group: instances of one service share the work through its partitions. */
  groupId: string;
  routes: (deps: WorkerDeps) => Route[];
  /** Periodic work (e.g. sweeping expired leases); returns a stop function. */
  background?: (deps: WorkerDeps) => () => void;
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const extra = parseEnv(
    { ...coreEnvShape, TERN_WORKER_ID: envTypes.nonEmpty.default(`${os.hostname()}-${process.pid}`), TERN_JOB_LEASE_MS: envTypes.positiveInt.default(60_000), TERN_HEALTH_PORT: envTypes.port.optional(), TERN_HEALTH_HOST: envTypes.nonEmpty.default('0.0.0.0') },
    env,
  );
  return { ...loadTernConfig(env), workerId: extra.TERN_WORKER_ID, leaseMs: extra.TERN_JOB_LEASE_MS, ...(extra.TERN_HEALTH_PORT ? { health: { host: extra.TERN_HEALTH_HOST, port: extra.TERN_HEALTH_PORT } } : {}) };
}

const OPTIONS = Symbol('WORKER_OPTIONS');
const CONFIG = Symbol('WORKER_CONFIG');
const PRISMA = Symbol('PRISMA');

@Injectable()
class WorkerConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly bases = new Map<string, Promise<LoadedBase>>();

  constructor(
    @Inject(OPTIONS) private readonly options: WorkerAppOptions,
    @Inject(CONFIG) private readonly config: WorkerConfig,
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Inject(ConsumerRegistry) private readonly consumers: ConsumerRegistry,
    @Inject(EventPublisher) private readonly publisher: EventPublisher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const logger = createLogger(this.options.serviceName, this.config.logLevel);
    const backend = await initBackend(this.config.ml.backend, this.config.ml);
    logger.info('backend ready', { ...backendLogFields(backend), workerId: this.config.workerId });
    const deps: WorkerDeps = {
      prisma: this.prisma,
      jobs: new JobRepository(this.prisma),
      publisher: this.publisher,
      artifacts: new LocalDirectoryArtifactStore(path.resolve(this.config.artifacts.dir)),
      logger,
      workerId: this.config.workerId,
      leaseMs: this.config.leaseMs,
      // One loaded base per id for the life of the process.
      loadBase: (id) => this.bases.get(id) ?? this.bases.set(id, resolveBase(this.prisma, id).then(loadBase)).get(id)!,
    };
    const consumer = this.consumers.create({ groupId: this.options.groupId, sessionTimeoutMs: 30_000, logger, onDeadLetter: (info) => failJobOfInvalidRequest(deps, info) });
    const routes = this.options.routes(deps);
    for (const r of routes) consumer.on(r.topic, r.handler);
    await consumer.start();
    this.stopBackground = this.options.background?.(deps);
    if (this.config.health) {
      this.healthServer = await startHealthServer(this.config.health.port, this.config.health.host, {
        ready: async () => {
          await this.prisma.$queryRaw`SELECT 1`;
          return { ok: true, detail: { service: this.options.serviceName, workerId: this.config.workerId, database: 'ok', consumer: 'running' } };
        },
      });
      logger.info('health endpoints', { port: this.config.health.port });
    }
    logger.info('consuming', { topics: routes.map((r) => r.topic), group: this.options.groupId });
  }

  private stopBackground?: () => void;
  private healthServer?: Server;

  async onApplicationShutdown(): Promise<void> {
    this.stopBackground?.();
    this.healthServer?.close();
    await this.prisma.$disconnect();
  }
}

@Module({})
class WorkerModule {
  static forRoot(options: WorkerAppOptions, config: WorkerConfig): DynamicModule {
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
export function runWorkerApp(options: WorkerAppOptions): void {
  const config = loadConfigOrExit(() => loadWorkerConfig(process.env), options.serviceName);
  NestFactory.createApplicationContext(WorkerModule.forRoot(options, config), { logger: ['error', 'warn'] })
    // SIGTERM: finish the current message, commit, leave the group.
    .then((app) => app.enableShutdownHooks())
    .catch((error: Error) => {
      process.stderr.write(`[${options.serviceName}] failed to start: ${error.stack}\n`);
      process.exit(1);
    });
}
