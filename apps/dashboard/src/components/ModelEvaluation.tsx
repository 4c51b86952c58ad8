'use client';
import type { CurvePoint } from '@/lib/job-progress';
import { readEvaluation } from '@/lib/confusion';
import { percent, type ModelDetail } from '@/lib/model-types';
import { ConfusionHeatmap } from './ConfusionHeatmap';
import { TrainingCurves } from './TrainingCurves';

/** A model version's test evaluation: accuracy, per-class precision/recall/F1, confusion heatmap, curves. */
export function ModelEvaluation({ model, compact = false }: { model: ModelDetail; compact?: boolean }) {
  const evaluation = readEvaluation(model.metrics);
  const curves: Record<string, CurvePoint[]> = {};
  for (const c of model.curves) (curves[c.stage] ??= []).push(c);
  return (
    <div>
      <p>Test accuracy <strong>{percent(model.testAccuracy)}</strong> · {model.baseModel.displayName} / {model.baseModel.layer} · {model.kind === 'fine_tuned' ? 'fine-tuned' : 'head only'}</p>
      {evaluation.perClass.length ? (
        <div className="table-scroll">
          <table>
            <caption>Per class, on the test split</caption>
            <thead><tr><th scope="col">Class</th><th scope="col">Precision</th><th scope="col">Recall</th><th scope="col">F1</th><th scope="col">Test images</th></tr></thead>
            <tbody>
              {evaluation.perClass.map((c) => <tr key={c.label}><td>{c.label}</td><td>{percent(c.precision)}</td><td>{percent(c.recall)}</td><td>{percent(c.f1)}</td><td>{c.support}</td></tr>)}
            </tbody>
          </table>
        </div>
      ) : <p className="muted">No test split when this model was trained, so no per-class figures.</p>}
      {evaluation.confusion ? (
        <>
          <h3>Confusion matrix</h3>
          <ConfusionHeatmap matrix={evaluation.confusion} labels={model.labels} />
        </>
      ) : null}
      {!compact ? (
        <>
          <h3>Training curves</h3>
          <TrainingCurves curves={curves} />
        </>
      ) : null}
    </div>
  );
}
