// fine-tuner: fine-tunes the top of a head model's base, on tern.fine-tuning.requested.v1.
import { Topics } from '@tern/contracts';
import { handleFineTuningRequest, route, runWorkerApp } from '@tern/pipeline';

runWorkerApp({
  serviceName: 'fine-tuner',
  groupId: 'tern.fine-tuner',
  routes: (deps) => [route(Topics.fineTuningRequested, (event, ctx) => handleFineTuningRequest(deps, event, ctx))],
});
