import { defaultTrainForm, pipelineRequest } from './train-request';

const id = '00000000-0000-4000-8000-00000000000a';

describe('training form → POST /v1/jobs body', () => {
  it('sends the defaults as a pipeline with promotion, without fine-tuning unless asked', () => {
    const r = pipelineRequest(id, defaultTrainForm('mobilenet_v2_mid', 'feature_vector'));
    expect(r).toEqual({ ok: true, body: { type: 'pipeline', datasetId: id, baseModelId: 'mobilenet_v2_mid', layer: 'feature_vector', head: { hiddenUnits: [128], dropout: 0.3, learningRate: 0.001, epochs: 50 }, promote: true } });
  });

  it('adds fine-tuning with its very low default learning rate', () => {
    const r = pipelineRequest(id, { ...defaultTrainForm('mobilenet_v2', 'global_pool'), fineTune: true });
    expect(r.ok && r.body['fineTune']).toEqual({ unfreezeLayers: 1, learningRate: 1e-5, epochs: 10 });
  });

  it('names each bad field, in words, next to its input', () => {
    const r = pipelineRequest(id, { ...defaultTrainForm('mobilenet_v2', 'global_pool'), hiddenUnits: '128, lots', epochs: 'ten', dropout: '0.95', fineTune: true, fineTuneLearningRate: '0.5' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.keys(r.errors).sort()).toEqual(['dropout', 'epochs', 'fineTuneLearningRate', 'hiddenUnits']);
    expect(r.errors['epochs']).toBe('epochs must be a number');
    expect(r.errors['hiddenUnits']).toMatch(/whole numbers separated by commas/);
  });
});
