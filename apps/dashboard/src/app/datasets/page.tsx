'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { ErrorBanner } from '@/components/ErrorBanner';
import { api } from '@/lib/api-client';
import { useResource } from '@/lib/use-resource';

interface DatasetRow {
  id: string;
  name: string;
  description: string | null;
  classCount: number;
  sampleCount: number;
  modelCount: number;
  splits: { train: number; validation: number; test: number };
  updatedAt: string;
}

export default function DatasetsPage() {
  const [page, setPage] = useState(1);
  const { data, error, loading, reload } = useResource<{ items: DatasetRow[]; total: number; pageSize: number }>(`/v1/datasets?page=${page}&pageSize=20`);
  const router = useRouter();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [createError, setCreateError] = useState<unknown>();

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setCreateError(undefined);
    try {
      const created = await api<{ id: string }>('/v1/datasets', { method: 'POST', json: { name, ...(description ? { description } : {}) } });
      router.push(`/datasets/${created.id}`);
    } catch (err) {
      setCreateError(err);
    }
  };

  return (
    <>
      <h1>Datasets</h1>
      <ErrorBanner error={error} onRetry={reload} />
      <section className="card">
        {loading && !data ? <p className="muted">Loading…</p> : null}
        {data && data.items.length === 0 ? <p>No datasets yet. Create one below, then upload images.</p> : null}
        {data && data.items.length > 0 ? (
          <div className="table-scroll">
            <table>
              <caption className="sr-only">Datasets</caption>
              <thead>
                <tr><th scope="col">Name</th><th scope="col">Classes</th><th scope="col">Images</th><th scope="col">Train / val / test</th><th scope="col">Models</th><th scope="col">Updated</th></tr>
              </thead>
              <tbody>
                {data.items.map((d) => (
                  <tr key={d.id}>
                    <td><Link href={`/datasets/${d.id}`}>{d.name}</Link>{d.description ? <div className="muted small">{d.description}</div> : null}</td>
                    <td>{d.classCount}</td>
                    <td>{d.sampleCount}</td>
                    <td>{d.splits.train} / {d.splits.validation} / {d.splits.test}</td>
                    <td>{d.modelCount}</td>
                    <td>{new Date(d.updatedAt).toLocaleString()}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        {data && data.total > data.pageSize ? (
          <div className="pager">
            <button type="button" disabled={page === 1} onClick={() => setPage(page - 1)}>Previous</button>
            <span>Page {page} of {Math.ceil(data.total / data.pageSize)}</span>
            <button type="button" disabled={page * data.pageSize >= data.total} onClick={() => setPage(page + 1)}>Next</button>
          </div>
        ) : null}
      </section>
      <section className="card">
        <h2>New dataset</h2>
        <form onSubmit={create} className="form-row">
          <div>
            <label htmlFor="dataset-name">Name</label>
            <input id="dataset-name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
          </div>
          <div className="grow">
            <label htmlFor="dataset-description">Description (optional)</label>
            <input id="dataset-description" maxLength={2000} value={description} onChange={(e) => setDescription(e.target.value)} />
          </div>
          <button type="submit">Create dataset</button>
        </form>
        <ErrorBanner error={createError} />
      </section>
    </>
  );
}
