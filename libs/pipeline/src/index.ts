export { JobRepository, type ClaimOutcome, type NewJob } from './job-repository';
export { ensureBaseModelRow, PostgresEmbeddingStore } from './postgres-embedding-store';
export { handleExtractionRequest, type ExtractionWorkerDeps } from './extraction-job';
export { sampleSource } from './sample-source';
