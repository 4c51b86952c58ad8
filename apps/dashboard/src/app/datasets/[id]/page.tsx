'use client';
import Link from 'next/link';
import { useParams, useRouter } from 'next/navigation';
import { useState } from 'react';
import { ClassBalanceChart } from '@/components/ClassBalanceChart';
import { ErrorBanner } from '@/components/ErrorBanner';
import { ImageGrid } from '@/components/ImageGrid';
import { UploadZone } from '@/components/UploadZone';
import { api } from '@/lib/api-client';
import { useAction } from '@/lib/use-action';
import { useResource } from '@/lib/use-resource';

interface DatasetDetail {
  id: string;
  name: string;
  description: string | null;
  updatedAt: string;
  sampleCount: number;
  unlabelled: number;
  splits: { train: number; validation: number; test: number };
  classes: { id: string; name: string; total: number; splits: { train: number; validation: number; test: number } }[];
  cacheCoverage: { baseModelId: string; layer: string; embedded: number; total: number; fraction: number }[];
  warnings: string[];
}

export default function DatasetPage() {
  const { id } = useParams<{ id: string }>();
  const router = useRouter();
  const { data, error, reload } = useResource<DatasetDetail>(`/v1/datasets/${id}`);
  const action = useAction();
  const [splitNote, setSplitNote] = useState<string>();
  // Bumped after changes the dataset summary does not show (a re-split), so that the grid reloads.
  const [gridVersion, setGridVersion] = useState(0);

  const autoSplit = () => action.run(async () => {
    const r = await api<{ splits: { train: number; validation: number; test: number } }>(`/v1/datasets/${id}/split`, { method: 'POST', json: {} });
    setSplitNote(`Split: ${r.splits.train} train, ${r.splits.validation} validation, ${r.splits.test} test (stratified, seed 42).`);
    setGridVersion((v) => v + 1);
    reload();
  });
  const remove = async () => {
    if (!data || !window.confirm(`Delete dataset "${data.name}" and its ${data.sampleCount} images? Its models are kept.`)) return;
    await action.run(async () => {
      await api(`/v1/datasets/${id}`, { method: 'DELETE' });
      router.push('/datasets');
    });
  };

  if (error) return <ErrorBanner error={error} onRetry={reload} />;
  if (!data) return <p className="muted">Loading…</p>;
  return (
    <>
      <div className="page-head">
        <div>
          <h1>{data.name}</h1>
          {data.description ? <p className="muted">{data.description}</p> : null}
        </div>
        <div className="button-row">
          <Link className="button primary" href={`/datasets/${id}/train`}>Train a model</Link>
          <Link className="button" href={`/datasets/${id}/models`}>Models</Link>
        </div>
      </div>
      {data.warnings.length > 0 ? (
        <div className="banner banner-warn" role="status" data-testid="warnings">
          <ul>{data.warnings.map((w) => <li key={w}>{w}</li>)}</ul>
        </div>
      ) : null}
      <ErrorBanner error={action.error} />
      <div className="grid-2">
        <section className="card" aria-labelledby="balance-heading">
          <h2 id="balance-heading">Classes</h2>
          <p>{data.sampleCount} images in {data.classes.length} classes · {data.splits.train} train, {data.splits.validation} validation, {data.splits.test} test{data.unlabelled ? ` · ${data.unlabelled} unlabelled` : ''}</p>
          {data.classes.length ? <ClassBalanceChart classes={data.classes} /> : <p className="muted">No images yet.</p>}
          <div className="button-row">
            <button type="button" onClick={() => void autoSplit()} disabled={!data.sampleCount}>Split automatically (70/15/15)</button>
          </div>
          {splitNote ? <p role="status">{splitNote}</p> : null}
        </section>
        <section className="card" aria-labelledby="cache-heading">
          <h2 id="cache-heading">Embedding cache</h2>
          <p className="muted small">Images already embedded per base model: these never need to be computed again.</p>
          <div className="table-scroll">
          <table>
            <thead><tr><th scope="col">Base model</th><th scope="col">Layer</th><th scope="col">Cached</th></tr></thead>
            <tbody>
              {data.cacheCoverage.map((c) => (
                <tr key={`${c.baseModelId}-${c.layer}`}><td>{c.baseModelId}</td><td>{c.layer}</td><td>{c.embedded} / {c.total}</td></tr>
              ))}
            </tbody>
          </table>
          </div>
          <div className="button-row"><button type="button" className="danger" onClick={() => void remove()}>Delete dataset</button></div>
        </section>
      </div>
      <UploadZone datasetId={id} onUploaded={reload} />
      <ImageGrid datasetId={id} classes={data.classes.map((c) => c.name)} refreshKey={`${data.sampleCount}:${data.updatedAt}:${gridVersion}`} onChanged={reload} />
    </>
  );
}
