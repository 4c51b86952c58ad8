import type { EpochMetric, JobUpdate, JobView } from '@tern/contracts';

export interface CurvePoint {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
}

export interface JobProgressView {
  status: JobView['status'];
  stage: string;
  fraction: number;
  steps: { type: string; status: string }[];
  /** Per training stage (head, fine_tune), in epoch order. */
  curves: Record<string, CurvePoint[]>;
  error: string | null;
  finished: boolean;
  finalModelId: string | null;
}

const stepOrder = ['extraction', 'head_training', 'fine_tuning'];

/** What the run page shows for a job update from the SSE stream. */
export function toProgressView(update: JobUpdate): JobProgressView {
  const { job, steps } = update;
  const running = [...steps, job].find((s) => s.status === 'running' && s.progress);
  const progress = (running?.progress ?? job.progress ?? {}) as { stage?: string; done?: number; total?: number; fraction?: number };
  const finished = ['succeeded', 'failed', 'cancelled'].includes(job.status);
  const stepFraction = steps.length ? steps.filter((s) => s.status === 'succeeded').length / Math.max(steps.length, job.type === 'pipeline' ? 2 : 1) : 0;
  const fraction = finished ? 1 : progress.fraction ?? (progress.total ? (progress.done ?? 0) / progress.total : stepFraction);
  const curves: Record<string, CurvePoint[]> = {};
  for (const e of dedupe(update.epochs)) (curves[e.stage] ??= []).push({ epoch: e.epoch, loss: e.loss, accuracy: e.accuracy, valLoss: e.valLoss, valAccuracy: e.valAccuracy });
  for (const points of Object.values(curves)) points.sort((a, b) => a.epoch - b.epoch);
  const sortedSteps = [...steps].sort((a, b) => stepOrder.indexOf(a.type) - stepOrder.indexOf(b.type));
  return {
    status: job.status,
    stage: finished ? job.status : progress.stage ?? running?.type ?? job.status,
    fraction: Math.min(1, Math.max(0, fraction)),
    steps: sortedSteps.map((s) => ({ type: s.type, status: s.status })),
    curves,
    error: job.error ?? steps.find((s) => s.error)?.error ?? null,
    finished,
    finalModelId: (job.result as { finalModelId?: string; modelId?: string } | null)?.finalModelId ?? (job.result as { modelId?: string } | null)?.modelId ?? null,
  };
}

/** A redelivered epoch (same job, stage, epoch) is shown once. */
function dedupe(epochs: EpochMetric[]): EpochMetric[] {
  const seen = new Map<string, EpochMetric>();
  for (const e of epochs) seen.set(`${e.jobId}:${e.stage}:${e.epoch}`, e);
  return [...seen.values()];
}
