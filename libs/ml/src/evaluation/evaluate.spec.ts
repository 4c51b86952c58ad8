import { evaluatePredictions } from './evaluate';

describe('evaluatePredictions', () => {
  it('computes accuracy, top-k, per-class precision/recall/F1 and the confusion matrix', () => {
    // 4 samples, 3 classes. Predictions (argmax): 0, 1, 1, 2. Truth: 0, 1, 2, 2.
    const probs = [0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.2, 0.5, 0.3, 0.1, 0.2, 0.7];
    const e = evaluatePredictions(probs, [0, 1, 2, 2], ['a', 'b', 'c'], [1, 2]);
    expect(e.accuracy).toBe(0.75);
    expect(e.topK[2]).toBe(1);
    expect(e.confusion).toEqual([[1, 0, 0], [0, 1, 0], [0, 1, 1]]);
    expect(e.perClass[1]).toMatchObject({ label: 'b', precision: 0.5, recall: 1, support: 1 });
    expect(e.perClass[2]).toMatchObject({ precision: 1, recall: 0.5 });
    expect(e.perClass[2]!.f1).toBeCloseTo(2 / 3);
  });

  it('refuses probabilities that do not match the labels', () => {
    expect(() => evaluatePredictions([0.5, 0.5], [0, 1], ['a', 'b'])).toThrow(/expected 4 probabilities/);
  });
});
