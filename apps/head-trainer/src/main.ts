// head-trainer: trains a classification head on cached embeddings, on tern.head-training.requested.v1.
import { Topics } from '@tern/contracts';
import { handleHeadTrainingRequest, route, runWorkerApp } from '@tern/pipeline';

runWorkerApp({
  serviceName: 'head-trainer',
  groupId: 'tern.head-trainer',
  routes: (deps) => [route(Topics.headTrainingRequested, (event, ctx) => handleHeadTrainingRequest(deps, event, ctx))],
});
