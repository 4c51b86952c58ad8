import type { Logger } from '@tern/config';
import type { PrismaClient } from '@tern/db';
import type { EventPublisher } from '@tern/messaging';
import type { LoadedBase } from '@tern/ml';
import type { ArtifactStore } from './artifact-store';
import type { JobRepository } from './job-repository';

/** What every pipeline handler gets from its service. */
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
