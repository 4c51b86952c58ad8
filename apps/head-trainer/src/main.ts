// head-trainer: trains a classification head on cached embeddings, on tern.head-training.requested.v1.
import { Topics } from '@tern/contracts';
import { handleHeadTrainingRequest, runWorkerApp } from '@tern/pipeline';

runWorkerApp({
  serviceName: 'head-trainer',
  groupId: 'tern.head-trainer',
  topic: Topics.headTrainingRequested,
  handler: (deps) => (event, ctx) => handleHeadTrainingRequest(deps, event, ctx),
});
