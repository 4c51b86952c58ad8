// feature-extractor: computes the embeddings a dataset lacks, on tern.extraction.requested.v1.
import { Topics } from '@tern/contracts';
import { handleExtractionRequest, route, runWorkerApp } from '@tern/pipeline';

runWorkerApp({
  serviceName: 'feature-extractor',
  groupId: 'tern.feature-extractor',
  routes: (deps) => [route(Topics.extractionRequested, (event, ctx) => handleExtractionRequest(deps, event, ctx))],
});
