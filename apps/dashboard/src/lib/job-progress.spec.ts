import type { JobUpdate, JobView } from '@tern/contracts';
import { toProgressView } from './job-progress';

const job = (over: Partial<JobView>): JobView => ({ id: '00000000-0000-4000-8000-000000000001', type: 'pipeline', status: 'running', datasetId: null, parentJobId: null, progress: null, result: null, error: null, attempt: 1, createdAt: '2026-11-28T00:00:00Z', startedAt: null, finishedAt: null, ...over });
const epoch = (stage: string, n: number, jobId = 'a') => ({ jobId, stage, epoch: n, loss: 1 / (n + 1), accuracy: 0.5 + n / 100, valLoss: null, valAccuracy: 0.4 });

describe('run page view of a job update', () => {
  it('shows the running step’s own progress and groups epochs per stage in order, once each', () => {
    const update: JobUpdate = {
      job: job({}),
      steps: [job({ id: '2', type: 'head_training', status: 'running', progress: { stage: 'head', done: 3, total: 10 } }), job({ id: '1', type: 'extraction', status: 'succeeded' })],
      epochs: [epoch('head', 1), epoch('head', 0), epoch('head', 1)], // a redelivered epoch arrives twice
    };
    const view = toProgressView(update);
    expect(view).toMatchObject({ status: 'running', stage: 'head', fraction: 0.3, finished: false });
    expect(view.steps.map((s) => s.type)).toEqual(['extraction', 'head_training']);
    expect(view.curves['head']!.map((p) => p.epoch)).toEqual([0, 1]);
  });

  it('finishes at 100% with the final model, or shows the failure reason of a step', () => {
    const done = toProgressView({ job: job({ status: 'succeeded', result: { finalModelId: 'm1' } }), steps: [], epochs: [] });
    expect(done).toMatchObject({ fraction: 1, finished: true, finalModelId: 'm1', stage: 'succeeded' });
    const failed = toProgressView({ job: job({ status: 'failed' }), steps: [job({ type: 'head_training', status: 'failed', error: 'class(es) without training samples: cats' })], epochs: [] });
    expect(failed.error).toBe('class(es) without training samples: cats');
  });
});
