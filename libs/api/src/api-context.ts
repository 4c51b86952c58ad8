import type { Logger } from '@tern/config';
import type { PrismaClient } from '@tern/db';
import type { EventPublisher } from '@tern/messaging';
import type { ArtifactStore, JobRepository } from '@tern/pipeline';
import type { ApiConfig } from './api-config';
import type { SampleFileStore } from './samples/sample-store';

/** Everything the api's handlers share, built once at boot. */
export interface ApiContext {
  config: ApiConfig;
  prisma: PrismaClient;
  logger: Logger;
  publisher: EventPublisher;
  jobs: JobRepository;
  artifacts: ArtifactStore;
  samples: SampleFileStore;
}

export const API_CONTEXT = Symbol('API_CONTEXT');
