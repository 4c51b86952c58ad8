// feature-extractor: computes the embeddings a dataset lacks, on tern.extraction.requested.v1.
import { Topics } from '@tern/contracts';
import { handleExtractionRequest, runWorkerApp } from '@tern/pipeline';

runWorkerApp({
  serviceName: 'feature-extractor',
  groupId: 'tern.feature-extractor',
  topic: Topics.extractionRequested,
  handler: (deps) => (event, ctx) => handleExtractionRequest(deps, event, ctx),
});
