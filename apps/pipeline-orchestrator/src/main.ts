// pipeline-orchestrator: runs pipelines (extract → head → optional fine-tune → promotion) and Kafka-driven retraining,
// and re-publishes the requests of steps whose worker died (expired leases).
import { Topics } from '@tern/contracts';
import { onCancelRequested, onExtractionCompleted, onFineTuningCompleted, onHeadTrainingCompleted, onRetrainRequested, onStepFailed, route, runWorkerApp, startPipeline, sweepLeases } from '@tern/pipeline';

runWorkerApp({
  serviceName: 'pipeline-orchestrator',
  groupId: 'tern.pipeline-orchestrator',
  routes: (deps) => [
    route(Topics.pipelineRequested, (e) =>
      startPipeline(deps, { jobId: e.payload.jobId, type: 'pipeline', correlationId: e.correlationId, datasetId: e.payload.datasetId, baseModelId: e.payload.baseModelId, ...(e.payload.layer ? { layer: e.payload.layer } : {}), head: e.payload.head, ...(e.payload.fineTune ? { fineTune: e.payload.fineTune } : {}), promote: e.payload.promote, forcePromotion: false, extractionShards: e.payload.extractionShards }),
    ),
    route(Topics.datasetRetrainRequested, (e) => onRetrainRequested(deps, e)),
    route(Topics.extractionCompleted, (e) => onExtractionCompleted(deps, e)),
    route(Topics.headTrainingCompleted, (e) => onHeadTrainingCompleted(deps, e)),
    route(Topics.extractionFailed, (e) => onStepFailed(deps, e)),
    route(Topics.headTrainingFailed, (e) => onStepFailed(deps, e)),
    route(Topics.fineTuningCompleted, (e) => onFineTuningCompleted(deps, e)),
    route(Topics.fineTuningFailed, (e) => onStepFailed(deps, e)),
    route(Topics.jobCancelRequested, (e) => onCancelRequested(deps, e)),
  ],
  background: (deps) => {
    const timer = setInterval(() => {
      sweepLeases(deps)
        .then((r) => (r.requeued || r.failed ? deps.logger.warn('expired leases swept', r) : undefined))
        .catch((error: Error) => deps.logger.error('lease sweep failed', { error }));
    }, Math.max(1000, Math.floor(deps.leaseMs / 2)));
    return () => clearInterval(timer);
  },
});
