export { JobRepository, type ClaimOutcome, type NewJob } from './job-repository';
export { ensureBaseModelRow, PostgresEmbeddingStore } from './postgres-embedding-store';
