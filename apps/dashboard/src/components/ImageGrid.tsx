'use client';
import { useState } from 'react';
import { api, apiBase } from '@/lib/api-client';
import { useAction } from '@/lib/use-action';
import { useResource } from '@/lib/use-resource';
import { ErrorBanner } from './ErrorBanner';

interface Sample {
  id: string;
  label: string | null;
  split: 'train' | 'validation' | 'test';
  originalName: string | null;
  imageUrl: string;
}

const pageSize = 48;

/** Images of one class (or all), paged; select some to relabel, move or delete them together. */
/** `refreshKey` changes when the dataset changed elsewhere (an upload): the grid reloads. */
export function ImageGrid({ datasetId, classes, refreshKey, onChanged }: { datasetId: string; classes: string[]; refreshKey: string; onChanged: () => void }) {
  const [label, setLabel] = useState('');
  const [page, setPage] = useState(1);
  const query = new URLSearchParams({ page: String(page), pageSize: String(pageSize), ...(label ? { label } : {}) });
  const { data, error, reload } = useResource<{ items: Sample[]; total: number }>(`/v1/datasets/${datasetId}/samples?${query}`, refreshKey);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [newLabel, setNewLabel] = useState('');
  const action = useAction();

  const toggle = (id: string) => setSelected((s) => {
    const next = new Set(s);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next;
  });
  const bulk = (change: { label?: string; split?: string; delete?: boolean }) => action.run(async () => {
    await api(`/v1/datasets/${datasetId}/samples/bulk`, { method: 'POST', json: { sampleIds: [...selected], ...change } });
    setSelected(new Set());
    reload();
    onChanged();
  });
  const pages = data ? Math.max(1, Math.ceil(data.total / pageSize)) : 1;

  return (
    <section className="card" aria-labelledby="images-heading">
      <h2 id="images-heading">Images</h2>
      <div className="form-row">
        <div>
          <label htmlFor="grid-class">Class</label>
          <select id="grid-class" value={label} onChange={(e) => { setLabel(e.target.value); setPage(1); setSelected(new Set()); }}>
            <option value="">All classes</option>
            {classes.map((c) => <option key={c} value={c}>{c}</option>)}
          </select>
        </div>
        <p className="muted">{data ? `${data.total} image(s)` : ''}{selected.size ? ` · ${selected.size} selected` : ''}</p>
      </div>
      {selected.size > 0 ? (
        <div className="toolbar" role="group" aria-label="Change selected images">
          <label htmlFor="bulk-label" className="sr-only">New label</label>
          <input id="bulk-label" list="known-classes" placeholder="new label" value={newLabel} onChange={(e) => setNewLabel(e.target.value)} />
          <datalist id="known-classes">{classes.map((c) => <option key={c} value={c} />)}</datalist>
          <button type="button" disabled={!newLabel.trim()} onClick={() => void bulk({ label: newLabel.trim() })}>Relabel</button>
          {(['train', 'validation', 'test'] as const).map((s) => <button key={s} type="button" onClick={() => void bulk({ split: s })}>Move to {s}</button>)}
          <button type="button" className="danger" onClick={() => window.confirm(`Delete ${selected.size} image(s)?`) && void bulk({ delete: true })}>Delete</button>
        </div>
      ) : null}
      <ErrorBanner error={error ?? action.error} onRetry={reload} />
      <ul className="image-grid">
        {data?.items.map((s) => (
          <li key={s.id}>
            <label className={selected.has(s.id) ? 'tile selected' : 'tile'}>
              <input type="checkbox" checked={selected.has(s.id)} onChange={() => toggle(s.id)} aria-label={`Select ${s.originalName ?? s.id}`} />
              <img src={`${apiBase}${s.imageUrl}`} alt={`${s.label ?? 'unlabelled'}: ${s.originalName ?? s.id}`} loading="lazy" width={96} height={96} />
              <span className="small">{s.label ?? 'unlabelled'} · {s.split}</span>
            </label>
          </li>
        ))}
      </ul>
      {pages > 1 ? (
        <div className="pager">
          <button type="button" disabled={page === 1} onClick={() => setPage(page - 1)}>Previous</button>
          <span>Page {page} of {pages}</span>
          <button type="button" disabled={page >= pages} onClick={() => setPage(page + 1)}>Next</button>
        </div>
      ) : null}
    </section>
  );
}
