import { randomUUID } from 'node:crypto';
import { allTopics, decodeEnvelope, deadLetterTopicOf, schemaVersionOf, Topics, topicRegistry, validatePayload } from './index';

const envelope = (type: string, payload: unknown, overrides: Record<string, unknown> = {}) =>
  Buffer.from(JSON.stringify({ eventId: randomUUID(), correlationId: 'corr', occurredAt: new Date().toISOString(), type, schemaVersion: 1, producer: 'test', payload, ...overrides }));

describe('contracts', () => {
  it('names every topic tern.<entity>.<action>.v<N>, and every long job has requested/progress/completed/failed', () => {
    for (const topic of allTopics) expect(topic).toMatch(/^tern\.[a-z-]+\.[a-z-]+\.v\d+$/);
    for (const job of ['extraction', 'head-training', 'fine-tuning', 'pipeline']) {
      for (const phase of ['requested', 'progress', 'completed', 'failed']) expect(allTopics).toContain(`tern.${job}.${phase}.v1`);
    }
    expect(Object.values(Topics).sort()).toEqual(Object.keys(topicRegistry).sort());
    expect(deadLetterTopicOf(Topics.pipelineRequested)).toBe('tern.pipeline.requested.v1.dlq');
    expect(schemaVersionOf(Topics.modelRegistered)).toBe(1);
  });

  it('fills defaults and rejects bad hyperparameters with the field path', () => {
    const ok = validatePayload(Topics.headTrainingRequested, { jobId: randomUUID(), datasetId: randomUUID(), baseModelId: 'mobilenet_v2_mid' });
    expect(ok.ok && ok.value.params.learningRate).toBe(1e-3);
    const bad = validatePayload(Topics.headTrainingRequested, { jobId: randomUUID(), datasetId: randomUUID(), baseModelId: 'm', params: { learningRate: -1, dropout: 2 } });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.reason).toMatch(/payload\.params\.learningRate/);
    expect(!bad.ok && bad.reason).toMatch(/payload\.params\.dropout/);
    const fine = validatePayload(Topics.fineTuningRequested, { jobId: randomUUID(), datasetId: randomUUID(), modelId: randomUUID() });
    expect(fine.ok && fine.value.params.learningRate).toBe(1e-5);
  });

  it('decodes a valid envelope and explains every way one can be wrong', () => {
    const jobId = randomUUID();
    const good = decodeEnvelope(Topics.jobCancelRequested, envelope(Topics.jobCancelRequested, { jobId }));
    expect(good.ok && good.value.payload.jobId).toBe(jobId);

    const reasonOf = (bytes: Buffer | null, topic = Topics.jobCancelRequested) => {
      const r = decodeEnvelope(topic, bytes);
      return r.ok ? 'ok' : r.reason;
    };
    expect(reasonOf(null)).toBe('empty message value');
    expect(reasonOf(Buffer.from('{oops'))).toMatch(/not valid JSON/);
    expect(reasonOf(envelope(Topics.jobCancelRequested, { jobId }, { eventId: 'x' }))).toMatch(/invalid envelope: eventId/);
    expect(reasonOf(envelope(Topics.pipelineRequested, { jobId }))).toMatch(/does not match topic/);
    expect(reasonOf(envelope(Topics.jobCancelRequested, { jobId }, { schemaVersion: 2 }))).toMatch(/schemaVersion 2/);
    expect(reasonOf(envelope(Topics.jobCancelRequested, { jobId: 7 }))).toMatch(/payload\.jobId/);
  });
});
