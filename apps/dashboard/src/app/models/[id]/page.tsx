'use client';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { ErrorBanner } from '@/components/ErrorBanner';
import { ModelEvaluation } from '@/components/ModelEvaluation';
import { apiBase } from '@/lib/api-client';
import { makeProduction, type ModelDetail } from '@/lib/model-types';
import { useAction } from '@/lib/use-action';
import { useResource } from '@/lib/use-resource';

export default function ModelPage() {
  const { id } = useParams<{ id: string }>();
  const { data: model, error, reload } = useResource<ModelDetail>(`/v1/models/${id}`);
  const action = useAction();
  if (error) return <ErrorBanner error={error} onRetry={reload} />;
  if (!model) return <p className="muted">Loading…</p>;
  const production = model.aliases.includes('production');
  const promote = () => action.run(async () => {
    await makeProduction(model.datasetId, model.id);
    reload();
  });
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Model v{model.version}{production ? <span className="badge">production</span> : null}</h1>
          <p className="muted"><Link href={`/datasets/${model.datasetId}/models`}>All versions of this dataset</Link></p>
        </div>
        <div className="button-row">
          {!production ? <button type="button" onClick={() => void promote()}>Make production</button> : null}
          <a className="button" href={`${apiBase}${model.downloadUrl}`} download>Download (TF.js)</a>
          <Link className="button" href={`/predict?model=${model.id}`}>Try it</Link>
        </div>
      </div>
      <ErrorBanner error={action.error} />
      <section className="card">
        <ModelEvaluation model={model} />
      </section>
    </>
  );
}
