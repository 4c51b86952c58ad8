import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@prisma/client';

export { Prisma, PrismaClient } from '@prisma/client';
export type { BaseModel, Dataset, DatasetClass, Embedding, Job, JobStatus, JobType, Sample, Split, TrainedModel, TrainingMetric } from '@prisma/client';

export interface DbOptions {
  url: string;
  /** Connections in this process's pool. */
  poolSize?: number;
}

/** A Prisma client that talks to Postgres through node-postgres: no native engine needed. */
export function createPrismaClient(options: DbOptions): PrismaClient {
  const adapter = new PrismaPg({ connectionString: options.url, max: options.poolSize ?? 10 });
  return new PrismaClient({ adapter });
}
