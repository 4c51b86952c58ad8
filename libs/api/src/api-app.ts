import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Server as GrpcServer } from '@grpc/grpc-js';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createLogger, loadConfigOrExit, type Logger } from '@tern/config';
import { apiTokenPattern } from '@tern/contracts';
import { createPrismaClient } from '@tern/db';
import { createKafka, EventPublisher } from '@tern/messaging';
import { backendLogFields, initBackend } from '@tern/ml';
import { JobRepository, LocalDirectoryArtifactStore } from '@tern/pipeline';
import { loadApiConfig, type ApiConfig } from './api-config';
import { API_CONTEXT, type ApiContext } from './api-context';
import { AuthGuard } from './auth/auth.guard';
import { hashToken } from './auth/tokens';
import { TokensController } from './auth/tokens.controller';
import { BaseModelsController } from './base-models/base-models.controller';
import { DatasetsController } from './datasets/datasets.controller';
import { bindGrpc, createGrpcServer } from './grpc/grpc-server';
import { HealthController } from './health.controller';
import { ApiErrorFilter } from './http/error-filter';
import { JobsController } from './jobs/jobs.controller';
import { ModelsController } from './models/models.controller';
import { DocsController } from './openapi/docs.controller';
import { PREDICTION, PredictController } from './predict/predict.controller';
import { PredictionService } from './predict/prediction-service';
import { SampleFileStore } from './samples/sample-store';
import { SamplesController } from './samples/samples.controller';

export const apiControllers = [HealthController, DocsController, DatasetsController, SamplesController, BaseModelsController, JobsController, ModelsController, PredictController, TokensController];

@Module({})
class ApiModule {
  static forRoot(ctx: ApiContext, predictions: PredictionService): DynamicModule {
    return {
      module: ApiModule,
      controllers: apiControllers,
      providers: [{ provide: API_CONTEXT, useValue: ctx }, { provide: PREDICTION, useValue: predictions }, { provide: APP_GUARD, useClass: AuthGuard }],
    };
  }
}

export interface RunningApi {
  httpUrl: string;
  grpcAddress: string;
  ctx: ApiContext;
  close(): Promise<void>;
}

/** Builds the context, starts HTTP (REST, SSE, /docs) and gRPC. Ports 0 pick free ports (tests). */
export async function startApi(config: ApiConfig, logger: Logger = createLogger('api', config.logLevel)): Promise<RunningApi> {
  const prisma = createPrismaClient({ url: config.database.url });
  const kafka = createKafka({ ...config.kafka }, logger);
  const publisher = new EventPublisher(kafka, 'api', config.kafka.topicPrefix);
  await publisher.connect();
  const backend = await initBackend(config.ml.backend, config.ml);
  const ctx: ApiContext = { config, prisma, logger, publisher, jobs: new JobRepository(prisma), artifacts: new LocalDirectoryArtifactStore(path.resolve(config.artifacts.dir)), samples: new SampleFileStore(config.sampleDir) };
  const predictions = new PredictionService(ctx);
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(ctx, predictions), { logger: ['error', 'warn'], bodyParser: false });
  app.useBodyParser('json', { limit: '8mb' });
  app.useGlobalFilters(new ApiErrorFilter(logger));
  app.enableCors({ origin: process.env['TERN_CORS_ORIGIN']?.split(',') ?? false });
  await app.listen(config.http.port, config.http.host);
  const address = app.getHttpServer().address() as AddressInfo;
  const grpcServer: GrpcServer = createGrpcServer(ctx, predictions);
  const grpcPort = await bindGrpc(grpcServer, config.grpc.host, config.grpc.port);
  logger.info('api ready', { http: `http://${config.http.host}:${address.port}`, grpc: `${config.grpc.host}:${grpcPort}`, ...backendLogFields(backend), sampleDir: config.sampleDir });
  return {
    httpUrl: `http://${config.http.host}:${address.port}`,
    grpcAddress: `${config.grpc.host}:${grpcPort}`,
    ctx,
    close: async () => {
      await new Promise<void>((resolve) => grpcServer.tryShutdown(() => resolve()));
      await app.close();
      predictions.dispose();
      await publisher.disconnect();
      await prisma.$disconnect();
    },
  };
}

/** An admin token from TERN_BOOTSTRAP_ADMIN_TOKEN (e.g. a k8s Secret), so a fresh install can be used. */
async function bootstrapAdminToken(ctx: ApiContext, token: string | undefined): Promise<void> {
  if (!token) return;
  if (!apiTokenPattern.test(token)) throw new Error('TERN_BOOTSTRAP_ADMIN_TOKEN must look like tern_<20-100 letters, digits, _ or ->');
  await ctx.prisma.apiToken.upsert({ where: { tokenHash: hashToken(token) }, create: { name: 'bootstrap admin', scopes: ['admin'], tokenHash: hashToken(token), prefix: token.slice(0, 9) }, update: {} });
}

export function runApiApp(): void {
  const config = loadConfigOrExit(() => loadApiConfig(process.env), 'api');
  startApi(config)
    .then(async (api) => {
      await bootstrapAdminToken(api.ctx, process.env['TERN_BOOTSTRAP_ADMIN_TOKEN']);
      const stop = () => void api.close().then(() => process.exit(0));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    })
    .catch((error: Error) => {
      process.stderr.write(`[api] failed to start: ${error.stack}\n`);
      process.exit(1);
    });
}

