export { JobRepository, type ClaimOutcome, type NewJob } from './job-repository';
export { ensureBaseModelRow, PostgresEmbeddingStore } from './postgres-embedding-store';
export { handleExtractionRequest, type ExtractionWorkerDeps } from './extraction-job';
export { sampleSource } from './sample-source';
export { acquireJob, InvalidRequest } from './acquire-job';
export { LocalDirectoryArtifactStore, type ArtifactStore } from './artifact-store';
export { handleHeadTrainingRequest, type HeadTrainerDeps } from './head-training-job';
export { loadWorkerConfig, runWorkerApp, type WorkerAppOptions, type WorkerConfig, type WorkerDeps } from './nest/worker-app';
