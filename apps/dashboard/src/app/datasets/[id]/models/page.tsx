'use client';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useState } from 'react';
import { ErrorBanner } from '@/components/ErrorBanner';
import { ModelEvaluation } from '@/components/ModelEvaluation';
import { apiBase } from '@/lib/api-client';
import { makeProduction, percent, type ModelDetail, type ModelVersion } from '@/lib/model-types';
import { useAction } from '@/lib/use-action';
import { useResource } from '@/lib/use-resource';

function Compared({ id }: { id: string }) {
  const { data, error } = useResource<ModelDetail>(`/v1/models/${id}`);
  if (error) return <ErrorBanner error={error} />;
  if (!data) return <p className="muted">Loading…</p>;
  return (
    <section className="card">
      <h2>v{data.version}{data.aliases.includes('production') ? <span className="badge">production</span> : null}</h2>
      <ModelEvaluation model={data} compact />
    </section>
  );
}

export default function ModelsPage() {
  const { id } = useParams<{ id: string }>();
  const { data, error, reload } = useResource<{ items: ModelVersion[]; datasetDeleted: boolean }>(`/v1/datasets/${id}/models`);
  const [compare, setCompare] = useState<string[]>([]);
  const action = useAction();
  const toggle = (modelId: string) => setCompare((c) => (c.includes(modelId) ? c.filter((x) => x !== modelId) : [...c, modelId].slice(-2)));
  const promote = (modelId: string) => action.run(async () => {
    await makeProduction(id, modelId);
    reload();
  });
  if (error) return <ErrorBanner error={error} onRetry={reload} />;
  if (!data) return <p className="muted">Loading…</p>;
  return (
    <>
      <div className="page-head">
        <h1>Models</h1>
        <Link className="button" href={`/datasets/${id}`}>Back to the dataset</Link>
      </div>
      <ErrorBanner error={action.error} />
      <section className="card">
        {data.items.length === 0 ? <p>No models yet. <Link href={`/datasets/${id}/train`}>Train one</Link>.</p> : (
          <div className="table-scroll">
            <table>
              <thead><tr><th scope="col">Compare</th><th scope="col">Version</th><th scope="col">Kind</th><th scope="col">Base / layer</th><th scope="col">Test accuracy</th><th scope="col">Created</th><th scope="col">Actions</th></tr></thead>
              <tbody>
                {data.items.map((m) => (
                  <tr key={m.id}>
                    <td><input type="checkbox" aria-label={`Compare v${m.version}`} checked={compare.includes(m.id)} onChange={() => toggle(m.id)} /></td>
                    <td><Link href={`/models/${m.id}`}>v{m.version}</Link>{m.aliases.includes('production') ? <span className="badge">production</span> : null}</td>
                    <td>{m.kind === 'fine_tuned' ? 'fine-tuned' : 'head'}</td>
                    <td>{m.baseModelId} / {m.layer}</td>
                    <td>{percent(m.testAccuracy)}</td>
                    <td>{new Date(m.createdAt).toLocaleString()}</td>
                    <td className="button-row">
                      {!m.aliases.includes('production') ? <button type="button" onClick={() => void promote(m.id)}>Make production</button> : null}
                      <a className="button" href={`${apiBase}/v1/models/${m.id}/artifact`} download>Download</a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {data.items.length > 1 ? <p className="muted small">Tick two versions to compare them side by side.</p> : null}
      </section>
      {/* Keyed by the production version too, so the cards reload when the alias moves. */}
      {compare.length === 2 ? <div className="grid-2" data-testid="comparison">{compare.map((m) => <Compared key={`${m}:${data.items.find((x) => x.aliases.includes('production'))?.id ?? ''}`} id={m} />)}</div> : null}
    </>
  );
}
