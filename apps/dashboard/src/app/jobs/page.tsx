'use client';
import Link from 'next/link';
import type { JobView } from '@tern/contracts';
import { ErrorBanner } from '@/components/ErrorBanner';
import { useResource } from '@/lib/use-resource';

export default function RunsPage() {
  const { data, error, reload } = useResource<{ items: JobView[] }>('/v1/jobs?pageSize=50');
  return (
    <>
      <h1>Runs</h1>
      <ErrorBanner error={error} onRetry={reload} />
      <section className="card">
        {data && data.items.length === 0 ? <p>No runs yet. Open a dataset and train a model.</p> : null}
        {data && data.items.length > 0 ? (
          <div className="table-scroll">
            <table>
              <thead><tr><th scope="col">Run</th><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Started</th><th scope="col">Finished</th></tr></thead>
              <tbody>
                {data.items.map((j) => (
                  <tr key={j.id}>
                    <td><Link href={`/jobs/${j.id}`}>{j.id.slice(0, 8)}</Link></td>
                    <td>{j.type}</td>
                    <td className={`status-${j.status}`}>{j.status}</td>
                    <td>{new Date(j.createdAt).toLocaleString()}</td>
                    <td>{j.finishedAt ? new Date(j.finishedAt).toLocaleString() : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
    </>
  );
}
